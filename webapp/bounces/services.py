"""Messages that come back to the bounce address: keep each one, read it, charge the address it names."""
import email
import logging
import mailbox
from email import policy
from pathlib import Path

import sqlalchemy as sa

from webapp.bounces import detect, scoring, verp
from webapp.bounces.models import Bounce, BounceKind
from webapp.extensions import db
from webapp.outbox.models import Delivery

log = logging.getLogger(__name__)

# Where a mailbox delivery leaves the envelope recipient (Postfix, Exim, others).
ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")


def _delivery_named(message, recipients):
    for candidate in list(recipients) + [v for h in ENVELOPE_HEADERS for v in message.get_all(h, [])]:
        delivery_id = verp.delivery_id(str(candidate))
        if delivery_id is not None:
            delivery = db.session.get(Delivery, delivery_id)
            if delivery is not None:
                return delivery
    return None


def _known(addresses):
    """Of the addresses a detector found, those we ever sent to: nobody else is charged."""
    if not addresses:
        return []
    return sorted(set(db.session.scalars(sa.select(Delivery.address).where(Delivery.address.in_(addresses)))))


def receive(raw, recipients=()):
    """Keep and read one message that came to the bounce address, and commit. Returns the Bounce.

    With VERP the delivery, hence the address, is known for sure; without it,
    only addresses the detector found that we have sent to are charged.
    """
    message = email.message_from_bytes(raw, policy=policy.compat32)
    try:
        reading = detect.read(message)
    except Exception as exc:  # noqa: BLE001 - a message no detector can read is kept for staff
        log.warning("bounce could not be read: %r", exc)
        reading = detect.Reading(BounceKind.UNPARSED, diagnostic=f"could not be read: {exc!r}")
    delivery = _delivery_named(message, recipients)
    bounced = reading.kind in (BounceKind.HARD, BounceKind.SOFT)
    charged = [delivery.address] if delivery is not None else _known(reading.addresses) if bounced else []
    counted, started = False, []
    if bounced:
        for address in charged:
            result = scoring.charge(address, hard=reading.kind == BounceKind.HARD, diagnostic=reading.diagnostic)
            counted |= result.counted
            if result.started:
                started.append(address)
    bounce = Bounce(kind=reading.kind, address=", ".join(charged)[:254] or ", ".join(reading.addresses)[:254],
                    delivery_id=delivery.id if delivery is not None else None,
                    subject=detect.subject(message)[:300], diagnostic=reading.diagnostic[:2000],
                    counted=counted, raw=raw)
    db.session.add(bounce)
    scoring.announce(started)
    db.session.commit()
    return bounce


def fetch_maildir(path):
    """Read every new message of a Maildir once; each read one is moved to cur/ and marked seen. Returns how many."""
    for sub in ("tmp", "new", "cur"):
        Path(path, sub).mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(path, factory=None, create=False)
    count = 0
    for key in list(box.iterkeys()):
        message = box.get_message(key)
        if message.get_subdir() != "new":
            continue
        with box.get_file(key) as handle:
            receive(handle.read())
        message.set_subdir("cur")
        message.add_flag("S")
        box[key] = message
        count += 1
    return count
