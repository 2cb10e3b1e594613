"""The one door for mail: features hand rendered emails here, in their own transaction."""
import functools
import hashlib
import itertools
import json
import unicodedata
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from webapp.audit.services import record
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.outbox.models import (Attachment, Delivery, DeliveryStatus, Email, EmailKind, Suppression,
                                  SuppressionKind, WorkerState)
from webapp.outbox.smtp import personalize

FINISHED = {DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SUPPRESSED,
            DeliveryStatus.CANCELLED, DeliveryStatus.DEAD}


def normalize_address(address):
    # NFC: "é" typed as one character or as "e" and an accent is the same address.
    return unicodedata.normalize("NFC", address.strip()).lower()


# Recipients written per statement. A roster of any size is read and written in
# pieces of this many, so queueing it takes the same memory as queueing a few.
CHUNK_SIZE = 1000


def enqueue(*, kind, subject, text, recipients, html="", text_footer="", html_footer="",
            list_id="", audience=(), footers=None, reply_to="", attachments=()):
    """Queue one email to each recipient, in the caller's transaction.

    `recipients` is an iterable of (address, name, variables) tuples, read once
    and written as it is read: pass a generator and a roster of any size is never
    held whole. Each address gets one Delivery even if it appears twice.
    `footers` ({language: {"text", "html"}}) are the footers in other languages: a
    recipient whose variables have that "language" gets those instead.
    `attachments` are stored Attachment rows (see store_attachment): the email
    refers to them, nothing is copied.
    """
    email = Email(kind=kind, subject=subject, text=text, html=html, text_footer=text_footer,
                  html_footer=html_footer, list_id=list_id, audience=list(audience), footers=footers or None,
                  reply_to=reply_to, attachments=list(attachments))
    db.session.add(email)
    db.session.flush()
    insert, now = _insert_deliveries(db.engine.dialect.name), utcnow()
    recipients, chunks = iter(recipients), 0
    while chunk := _next_chunk(recipients):
        db.session.execute(insert, {"rows": json.dumps(chunk), "email_id": email.id, "now": now})
        chunks += 1
    if chunks > 1:
        _drop_repeated_addresses(email.id)
    return email


def _next_chunk(recipients):
    """The next CHUNK_SIZE recipients as [address, name, variables], each address once among them."""
    chunk = {}
    for address, name, variables in itertools.islice(recipients, CHUNK_SIZE):
        address = normalize_address(address)
        chunk.setdefault(address, [address, name, variables or {}])
    return list(chunk.values())


@functools.cache
def _insert_deliveries(dialect):
    """INSERT … SELECT of one queued Delivery per element of the JSON array bound as `rows`, for the email
    bound as `email_id`, at the time bound as `now`; made once per engine.

    One statement a chunk, not one a recipient: the database unpacks the array,
    which is several times faster than an executemany on either engine. Every
    column is given here: a column default computed in Python would be computed
    once for the whole chunk, not once a row.
    """
    address, name, variables = _json_array_columns(sa.bindparam("rows", type_=sa.Text), 3, dialect)
    table = Delivery.__table__
    given = {"address": address, "name": name, "variables": variables}
    bound = {"email_id": sa.bindparam("email_id", type_=table.c.email_id.type),
             "next_attempt_at": sa.bindparam("now", type_=table.c.next_attempt_at.type),
             "created_at": sa.bindparam("now", type_=table.c.created_at.type)}
    fixed = {"status": DeliveryStatus.QUEUED, "attempts": 0, "expired_leases": 0, "leased_by": "",
             "last_reply": "", "message_id": ""}
    columns = [*given.values(), *bound.values(),
               *(sa.literal(value, table.c[key].type) for key, value in fixed.items())]
    return sa.insert(table).from_select([*given, *bound, *fixed], sa.select(*columns))


def _json_array_columns(rows_json, width, dialect):
    """The items of each element of a JSON array of arrays, as columns: the last one stays JSON."""
    if dialect == "postgresql":
        element = sa.func.json_array_elements(sa.cast(rows_json, sa.JSON)).table_valued("value").c.value
        return [*(element.op("->>")(i) for i in range(width - 1)), element.op("->")(width - 1)]
    element = sa.func.json_each(rows_json).table_valued("value").c.value
    return [sa.func.json_extract(element, f"$[{i}]") for i in range(width)]


def _drop_repeated_addresses(email_id):
    """Keep only the first Delivery of an address the caller gave in two different chunks."""
    table = Delivery.__table__
    firsts = (sa.select(table.c.address, sa.func.min(table.c.id).label("first_id"))
              .where(table.c.email_id == email_id).group_by(table.c.address)
              .having(sa.func.count() > 1).subquery())
    repeats = (sa.select(table.c.id).join(firsts, table.c.address == firsts.c.address)
               .where(table.c.email_id == email_id, table.c.id > firsts.c.first_id))
    db.session.execute(sa.delete(table).where(table.c.id.in_(repeats)))


def store_attachment(filename, content_type, data):
    """Keep a file's bytes once, for any number of emails to refer to; returns the Attachment (flushed)."""
    attachment = Attachment(filename=filename, content_type=content_type, size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), data=data)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def notify(address, name, subject, text, html="", reply_to=""):
    """Queue a notice about a person's own request: it goes even to a suppressed address.

    `reply_to` ("Name <address>") is for a notice that invites an answer: without it, a reply would reach
    the app's own address, which nobody reads.
    """
    return enqueue(kind=EmailKind.NOTICE, subject=subject, text=text, html=html,
                   recipients=[(address, name, {})], reply_to=reply_to)


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(delivery_id):
    """The token of an unsubscribe link: opaque, it names the delivery (hence address and groups), not the address."""
    return _serializer().dumps({"d": delivery_id})


def unsubscribe_url(delivery_id):
    return f"{current_app.config['PUBLIC_URL']}/unsubscribe/{unsubscribe_token(delivery_id)}"


def read_unsubscribe_token(token):
    """(address, audience keys of the email it came in) from a token, or None if it is not one of ours.

    Links sent before tokens named deliveries carry the address (and maybe the
    email); one that names no email has audience None: it stands for every group.
    A delivery since erased or purged leaves its link with nothing to stand for.
    """
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    if isinstance(payload, dict):
        row = db.session.execute(sa.select(Delivery.address, Email.audience).join(Email)
                                 .where(Delivery.id == payload.get("d"))).first()
        return (row.address, row.audience) if row is not None else None
    if isinstance(payload, str):
        return payload, None
    try:
        address, email_id = payload
    except (TypeError, ValueError):
        return None
    audience = db.session.scalar(sa.select(Email.audience).where(Email.id == email_id)) if email_id else None
    return address, audience


def suppress(address, reason, kind=SuppressionKind.BOUNCE):
    """Stop roster mail to an address, including what is queued or being sent. Idempotent."""
    address = normalize_address(address)
    # Insert-or-nothing: a bounce and a staff block for one address may race.
    db.session.execute(_insert()(Suppression).values(address=address, kind=kind, reason=reason, created_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["address"]))
    _roster_waiting_for(address).update({"status": DeliveryStatus.SUPPRESSED}, synchronize_session=False)


def _insert():
    """INSERT with ON CONFLICT, which both engines have."""
    return postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert


def is_suppressed(address):
    address = normalize_address(address)
    return db.session.scalar(sa.select(Suppression.id).where(Suppression.address == address)) is not None


def _roster_waiting_for(address):
    # "sending" too: a worker looks again before each send and skips a row that
    # is no longer its own, so a claimed row can still be stopped.
    roster_emails = sa.select(Email.id).where(Email.kind == EmailKind.ROSTER)
    return db.session.query(Delivery).filter(
        Delivery.address == address,
        Delivery.status.in_([DeliveryStatus.QUEUED, DeliveryStatus.SENDING]),
        Delivery.email_id.in_(roster_emails),
    )


def cancel_queued_roster_mail(address, still_for=()):
    """Cancel an address's roster mail not yet sent, except emails meant for a key in `still_for`."""
    still_for = set(still_for)
    for delivery in _roster_waiting_for(normalize_address(address)).all():
        if not still_for.intersection(delivery.email.audience or []):
            delivery.status = DeliveryStatus.CANCELLED
            delivery.last_reply = "cancelled: no longer a member"


def readdress_queued_roster_mail(old, new):
    """A person's address changed: their roster mail still waiting goes to the new address. Returns how many.

    Rows a worker holds ("sending") go out as they are, within seconds; notices stay with the old address they
    were written for.
    """
    roster_emails = sa.select(Email.id).where(Email.kind == EmailKind.ROSTER)
    return db.session.execute(
        sa.update(Delivery)
        .where(Delivery.address == normalize_address(old), Delivery.status == DeliveryStatus.QUEUED,
               Delivery.email_id.in_(roster_emails))
        .values(address=normalize_address(new))
    ).rowcount


def retry_failed(email_id):
    """Queue the failed and dead deliveries of an email again; returns how many."""
    result = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.email_id == email_id,
               Delivery.status.in_([DeliveryStatus.FAILED, DeliveryStatus.DEAD]))
        .values(status=DeliveryStatus.QUEUED, next_attempt_at=utcnow(), attempts=0,
                expired_leases=0, created_at=utcnow())
    )
    return result.rowcount


def cancel_queued(email_id, reason="cancelled by staff"):
    """Cancel what of an email is still waiting to be sent; returns how many."""
    result = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.email_id == email_id, Delivery.status == DeliveryStatus.QUEUED)
        .values(status=DeliveryStatus.CANCELLED, last_reply=reason)
    )
    return result.rowcount


# One worker that cannot connect while another got through within this time is
# one lost connection, not a server that is down: the warning does not flicker.
TROUBLE_GRACE = timedelta(minutes=1)


def server_state():
    return db.session.get(WorkerState, 1)


def server_trouble():
    """The last error when the mail server counts as unreachable, else None: what pages warn about.

    Unreachable: a worker could not connect, be greeted or log in, and no worker
    got an answer from it since a minute before that.
    """
    state = server_state()
    if state is None or state.failed_at is None:
        return None
    if state.reached_at is not None and state.reached_at >= state.failed_at - TROUBLE_GRACE:
        return None
    return state.last_error or "unreachable"


def record_server_reached():
    """A worker got an answer to a transaction; workers on several hosts may write at once."""
    _upsert_server_state(reached_at=utcnow())


def record_server_unreachable(error):
    """A worker could not connect, be greeted or log in."""
    _upsert_server_state(failed_at=utcnow(), last_error=error)


def record_heartbeat():
    """A delivery worker is alive (written every HEARTBEAT_SECONDS by each one)."""
    _upsert_server_state(heartbeat_at=utcnow())


def _upsert_server_state(**values):
    values["updated_at"] = utcnow()
    db.session.execute(_insert()(WorkerState).values(id=1, **values)
                       .on_conflict_do_update(index_elements=["id"], set_=values))


def retry_delay(attempts, base_seconds, jitter):
    """Exponential backoff: base, 2*base, 4*base... capped at six hours, with jitter."""
    seconds = min(base_seconds * (2 ** max(attempts - 1, 0)), 6 * 3600)
    return timedelta(seconds=seconds * (1 + jitter))


def preview(*, subject, text, html="", text_footer="", html_footer="", address, name, variables,
            unsubscribe_link, footers=None):
    """What one recipient would receive, without queueing anything: (text, html).

    The caller gives the unsubscribe link: a preview must not show a working one
    for a real member to whoever writes the message.
    """
    email = SimpleNamespace(subject=subject, text=text, html=html, text_footer=text_footer, html_footer=html_footer,
                            footers=footers)
    recipient = SimpleNamespace(name=name, address=address, variables=variables)
    return personalize(email, recipient, unsubscribe_link)


class NotResendable(Exception):
    """The delivery is not failed or set aside (any more): there is nothing to send again."""


def resend(delivery_id, actor):
    """Queue one failed or set-aside delivery again, from the start, and commit; records who did it."""
    now = utcnow()
    # Guarded by status: of two staff sending the same email again, one queues it.
    address = db.session.scalar(
        sa.update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status.in_([DeliveryStatus.FAILED, DeliveryStatus.DEAD]))
        .values(status=DeliveryStatus.QUEUED, attempts=0, expired_leases=0, next_attempt_at=now, created_at=now)
        .returning(Delivery.address).execution_options(synchronize_session=False)
    )
    if address is None:
        raise NotResendable(delivery_id)
    record("delivery.resend", actor=actor, target=f"delivery:{delivery_id}", address=address)
    db.session.commit()
