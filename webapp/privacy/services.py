"""A person's export and erasure, and the retention purge.

This package sits above membership, the outbox, bounces and audit, and asks
each to export, erase or purge its own rows: no feature reaches into another's
tables. Erasing keeps every count and history row, and leaves the person's
name and address nowhere.
"""
import calendar
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from webapp.audit import services as audit
from webapp.bounces import privacy as bounces
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.membership import privacy as membership
from webapp.outbox import privacy as outbox

AlreadyErased = membership.AlreadyErased
ERASED_TEXT = "[erased]"


def find_people(address, number):
    return membership.find_people(address, number)


def get_person(person_id):
    return membership.get_person(person_id)


def is_erased(person):
    return membership.is_erased(person)


def _targets(person_id, address, membership_ids):
    """What audit rows about this person name as their target."""
    return [f"person:{person_id}", f"address:{address}", f"block:{address}",
            *(f"membership:{i}" for i in membership_ids)]


def export(person):
    """Everything held about a person, as plain data: the page shows it and the download is it (a fixed few queries)."""
    held = membership.export_person(person)
    held.update(outbox.export_address(person.email))
    held.update(bounces.export_address(person.email))
    targets = _targets(person.id, person.email, [m["id"] for m in held["memberships"]])
    held["audit"] = audit.about(person.email, targets)
    return held


def download(person, actor):
    """Everything held about a person as a JSON file's text; the download is audited and committed.

    An export is personal data leaving the system: the log says who took it, and when.
    """
    text = json.dumps(export(person), ensure_ascii=False, indent=2, default=_iso)
    audit.record("privacy.export", actor=actor, target=f"person:{person.id}")
    db.session.commit()
    return text


def _iso(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not exported")


class Mentions:
    """How an erased person is found in other rows' text, and taken out of it.

    Their address becomes `address_as` and their full name "Erased person"
    (both case-insensitive); what they wrote or were told (notes, reasons)
    becomes "[erased]".
    """

    def __init__(self, erased, address_as):
        self.needles = [n for n in (erased.address, erased.name) if len(n) >= 2]
        replacements = [(re.escape(text), ERASED_TEXT, 0) for text in erased.texts]
        replacements.append((re.escape(erased.address), address_as, re.IGNORECASE))
        if len(erased.name) >= 2:  # a whole name, not letters inside words
            replacements.append((rf"(?<!\w){re.escape(erased.name)}(?!\w)", membership.ERASED_NAME, re.IGNORECASE))
        self._patterns = [(re.compile(pattern, flags), replacement) for pattern, replacement, flags in replacements]

    def found_in(self, column, as_json=False):
        """A SQL condition: the column mentions the address or the name (in JSON text, maybe \\u-escaped)."""
        forms = {n.lower() for n in self.needles}
        if as_json:
            forms |= {json.dumps(n)[1:-1].lower() for n in self.needles}
        return sa.or_(sa.false(), *(sa.func.lower(column).contains(form, autoescape=True) for form in forms))

    def scrub(self, text):
        for pattern, replacement in self._patterns:
            text = pattern.sub(replacement, text)
        return text


def erase(person, actor):
    """Erase a person everywhere and commit; raises AlreadyErased. Returns how many rows of each kind changed.

    The order matters: bounces find theirs through the deliveries' addresses,
    which the outbox then replaces. The erase is audited without what it erased.
    """
    erased = membership.erase_person(person)
    targets = _targets(erased.person_id, erased.address, erased.membership_ids)
    counts = {"memberships": len(erased.membership_ids)}
    counts["bounces"] = bounces.erase_address(erased.address)
    counts["deliveries"] = outbox.erase_address(erased.address, Mentions(erased, outbox.ERASED_ADDRESS),
                                                erased.placeholder)
    counts["audit_rows"] = audit.erase_mentions(erased.address, Mentions(erased, erased.placeholder), targets)
    audit.record("privacy.erase", actor=actor, target=f"person:{erased.person_id}", **counts)
    db.session.commit()
    return counts


@dataclass
class Purged:
    """What one retention run deleted or blanked."""

    unconfirmed: int
    decided: int
    people: int
    deliveries: int
    emails: int
    bounces: int
    ip_addresses: int

    def lines(self, config):
        """What `flask purge` prints: each count, with the setting it followed."""
        return [
            f"Unconfirmed requests deleted (older than {config['RETAIN_UNCONFIRMED_DAYS']} days): {self.unconfirmed}",
            f"Declined requests deleted (older than {config['RETAIN_DECIDED_MONTHS']} months): {self.decided}",
            f"People deleted, nothing of theirs left: {self.people}",
            f"Deliveries deleted (finished, older than {config['RETAIN_DELIVERY_DAYS']} days): {self.deliveries}",
            f"Notice emails deleted (no delivery left): {self.emails}",
            f"Bounces deleted (older than {config['RETAIN_DELIVERY_DAYS']} days): {self.bounces}",
            f"Audit rows whose IP address was blanked (older than {config['RETAIN_AUDIT_IP_DAYS']} days): "
            f"{self.ip_addresses}",
        ]


def purge_unconfirmed(cutoff):
    """Delete requests never confirmed before `cutoff`, and forget the people left with nothing; commits.

    Returns (requests, people, deliveries, emails) deleted.
    """
    gone = membership.purge_unconfirmed(cutoff)
    deliveries, emails = _forget(gone.addresses)
    db.session.commit()
    return gone.memberships, len(gone.addresses), deliveries, emails


def _forget(addresses):
    audit.forget_actors(addresses, outbox.ERASED_ADDRESS)
    return outbox.forget_addresses(addresses)


def purge(now=None):
    """Delete or blank what is kept longer than the RETAIN_* settings, each feature its own rows; commits."""
    config, now = current_app.config, now or utcnow()

    def days(setting):
        return now - timedelta(days=config[setting])

    unconfirmed = membership.purge_unconfirmed(days("RETAIN_UNCONFIRMED_DAYS"))
    decided = membership.purge_decided(months_before(now, config["RETAIN_DECIDED_MONTHS"]))
    forgotten, forgotten_emails = _forget(unconfirmed.addresses + decided.addresses)
    deliveries, emails = outbox.purge_deliveries(days("RETAIN_DELIVERY_DAYS"))
    purged = Purged(unconfirmed=unconfirmed.memberships, decided=decided.memberships,
                    people=len(unconfirmed.addresses) + len(decided.addresses), deliveries=forgotten + deliveries,
                    emails=forgotten_emails + emails, bounces=bounces.purge(days("RETAIN_DELIVERY_DAYS")),
                    ip_addresses=audit.blank_ip_addresses(days("RETAIN_AUDIT_IP_DAYS")))
    audit.record("privacy.purge", actor="cli", **purged.__dict__)
    db.session.commit()
    return purged


def months_before(moment, months):
    """The same day and time `months` calendar months earlier (the month's last day when it is shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
