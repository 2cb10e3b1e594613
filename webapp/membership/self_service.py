"""A person looking after themself, with no account: their page's link, name, language and address.

The link to their page carries their link version: asking for a new link
raises it, which ends every link sent before. Changing the address changes
nothing until the link sent to the new address is used.
"""
import hmac
import secrets

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from webapp.audit.services import record
from webapp.extensions import db
from webapp.membership import notifications
from webapp.membership.models import Person
from webapp.membership.services import MembershipError, unsubscribe
from webapp.membership.tokens import LinkInvalid, read_address_change_token, read_member_token
from webapp.outbox import blocks
from webapp.outbox.services import normalize_address, readdress_queued_roster_mail


class AddressTaken(MembershipError):
    """The new address already belongs to someone."""


class AddressNotAllowed(MembershipError):
    """The new address is the app's own, or blocked by staff."""


class SameAddress(MembershipError):
    pass


class AddressChangeUsed(MembershipError):
    """The address change was made already, or the person's address changed since the link was sent."""


def person_for_link(token):
    """The person whose page this link is; raises LinkInvalid for a forged, replaced or erased one."""
    person_id, version = read_member_token(token)
    person = db.session.get(Person, person_id)
    if person is None or person.link_version != version:
        raise LinkInvalid()
    return person


def email_my_link(address):
    """Send whoever has this address a new link to their page, ending the old ones; nothing for an unknown one.

    The caller shows the same answer either way. An unknown address costs the
    same lookup and no write, as near to the same work as it can be without
    writing to the outbox for nobody.
    """
    person = db.session.scalar(sa.select(Person).where(Person.email == normalize_address(address)))
    if person is None:
        db.session.rollback()
        return
    db.session.execute(sa.update(Person).where(Person.id == person.id)
                       .values(link_version=Person.link_version + 1).execution_options(synchronize_session=False))
    db.session.refresh(person)
    notifications.your_link(person)
    record("person.new_link", actor=person.email, target=f"person:{person.id}")
    db.session.commit()


def rename(person, name):
    """The name the groups know them by."""
    person.name = name.strip()
    record("person.rename", actor=person.email, target=f"person:{person.id}")
    db.session.commit()


def set_language(person, language):
    """The language of every email they get from now on, and of the links in it."""
    if language not in current_app.config["LANGUAGES"]:
        raise ValueError(language)
    person.language = language
    record("person.language", actor=person.email, target=f"person:{person.id}", language=language)
    db.session.commit()


def stop_all_group_email(person):
    """Stopping all group email is leaving every group, as the unsubscribe link does; returns the memberships left."""
    return unsubscribe(person.email)


def _check_new_address(person, new_address):
    if new_address == person.email:
        raise SameAddress()
    if blocks.is_blocked(new_address) or blocks.is_own_address(new_address):
        raise AddressNotAllowed()
    if db.session.scalar(sa.select(Person.id).where(Person.email == new_address)) is not None:
        raise AddressTaken()


def request_address_change(person, new_address):
    """Send the new address a link that makes the change; refuses an address that is someone's already."""
    new_address = normalize_address(new_address)
    _check_new_address(person, new_address)
    person.new_email, person.new_email_nonce = new_address, secrets.token_hex(16)  # older links stop working
    notifications.confirm_new_address(person, new_address)
    record("person.address_change_requested", actor=person.email, target=f"person:{person.id}")
    db.session.commit()


def address_change_for(token):
    """(person, new address) of an address-change link; raises LinkExpired, LinkInvalid or AddressChangeUsed."""
    person_id, nonce = read_address_change_token(token)
    person = db.session.get(Person, person_id)
    if person is None:
        raise LinkInvalid()
    if not person.new_email_nonce or not hmac.compare_digest(person.new_email_nonce, nonce):
        raise AddressChangeUsed()  # used, or replaced by a later request
    return person, person.new_email


def confirm_address_change(token):
    """The new address is theirs: the person's address changes, and the old address is told."""
    person, new = address_change_for(token)
    old = person.email
    _check_new_address(person, new)
    person.email, person.new_email, person.new_email_nonce = new, None, None
    try:
        db.session.flush()  # two people taking one address at once: the unique index lets one win
    except IntegrityError:
        db.session.rollback()
        raise AddressTaken()
    readdress_queued_roster_mail(old, new)
    notifications.address_changed(person, old)
    record("person.address_change", actor=new, target=f"person:{person.id}")
    db.session.commit()
    return person
