"""What membership holds about a person, for webapp/privacy: find, export, erase, and purge what is kept too long.

Erasing keeps the memberships, their statuses, dates and history rows, so that
group counts and histories stay true; it clears what the person wrote or was
told (note, role, organization, reasons) and replaces their name and address.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.membership.models import Membership, MembershipEvent, Person, Status
from webapp.paging import page_of

ERASED_NAME = "Erased person"
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: can never be a real mailbox
PAGE_SIZE = 100
# A free text shorter than this ("Welcome", "No") names no one, and is too common to scrub from other text.
SHORTEST_SCRUBBED_TEXT = 8


class AlreadyErased(Exception):
    """The person was erased already (another tab, another staff member)."""


@dataclass
class Erased:
    """What a person was, for the other features to scrub: their address and name, and what they wrote or were told."""

    person_id: int
    address: str
    name: str
    placeholder: str
    membership_ids: list[int]
    texts: list[str] = field(default_factory=list)


@dataclass
class Gone:
    """The people a purge deleted, by address, and how many memberships went."""

    memberships: int
    addresses: list[str]


def placeholder(person_id):
    """The unique address an erased person keeps: the column is unique, and it names no one."""
    return f"erased-{person_id}@{ERASED_DOMAIN}"


def is_erased(person):
    return person.email.endswith("@" + ERASED_DOMAIN)


def find_people(address, number):
    """A page of people whose address contains `address` (all of them when empty), newest first."""
    where = Person.email.contains(address.strip().lower(), autoescape=True) if address else sa.true()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(where))
    return page_of(sa.select(Person).where(where).order_by(Person.id.desc()), number, total, PAGE_SIZE)


def get_person(person_id):
    return db.session.get(Person, person_id)


def _memberships(person_id):
    return db.session.scalars(
        sa.select(Membership).where(Membership.person_id == person_id)
        .options(joinedload(Membership.group), joinedload(Membership.organization),
                 joinedload(Membership.decided_by),
                 selectinload(Membership.events).joinedload(MembershipEvent.actor))
        .order_by(Membership.id)
    ).unique().all()


def export_person(person):
    """The person and each of their memberships with its whole history, as plain data (two queries)."""
    return {
        "person": {"id": person.id, "name": person.name, "email": person.email, "language": person.language,
                   "new_email_waiting_confirmation": person.new_email, "created_at": person.created_at},
        "memberships": [_membership(m) for m in _memberships(person.id)],
    }


def _membership(m):
    return {
        "id": m.id, "group": m.group.name, "group_slug": m.group.slug, "status": m.status.value,
        "organization": m.organization.name if m.organization else "", "role_title": m.role_title, "note": m.note,
        "consented_at": m.consented_at, "requested_at": m.requested_at, "joined_at": m.joined_at,
        "status_changed_at": m.status_changed_at, "decided_by": m.decided_by.name if m.decided_by else "",
        "decision_reason": m.decision_reason,
        # A request to join not yet confirmed: what it asked, kept apart from the record.
        "request": {"name": m.request_name, "organization": m.request_organization, "role_title": m.request_role_title,
                    "note": m.request_note, "language": m.request_language, "sent_at": m.confirm_sent_at}
        if m.request_name else None,
        "events": [{"at": e.created_at, "by": e.actor.name if e.actor else e.actor_label,
                    "from": e.from_status.value if e.from_status else None, "to": e.to_status.value,
                    "reason": e.reason} for e in m.events],
    }


def erase_person(person):
    """Replace the person's name and address and clear what their memberships say; the caller commits.

    Statuses, dates and history rows stay. Raises AlreadyErased when another
    request erased them first: the guarded UPDATE lets exactly one through.
    """
    if is_erased(person):
        raise AlreadyErased(person.id)
    address, name = person.email, person.name
    memberships = _memberships(person.id)
    texts = {text for m in memberships for text in (m.note, m.role_title, m.decision_reason, m.request_name,
                                                     m.request_organization, m.request_role_title, m.request_note)}
    texts |= {e.reason for m in memberships for e in m.events}
    done = db.session.execute(
        sa.update(Person).where(Person.id == person.id, Person.email == address)
        # A new link version too: the links to their page in old emails then open nothing.
        .values(name=ERASED_NAME, email=placeholder(person.id), link_version=Person.link_version + 1,
                new_email=None, new_email_nonce=None)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        raise AlreadyErased(person.id)
    ids = [m.id for m in memberships]
    if ids:
        # The confirmation nonce too: an old confirmation link then does nothing.
        db.session.execute(sa.update(Membership).where(Membership.id.in_(ids)).values(
            note="", role_title="", organization_id=None, decision_reason="", confirm_nonce="", request_name="",
            request_organization="", request_role_title="", request_note="", request_language=""))
        db.session.execute(sa.update(MembershipEvent).where(MembershipEvent.membership_id.in_(ids)).values(reason=""))
    db.session.expire_all()
    return Erased(person_id=person.id, address=address, name=name, placeholder=placeholder(person.id),
                  membership_ids=ids, texts=sorted(t for t in texts if len(t) >= SHORTEST_SCRUBBED_TEXT))


def purge_unconfirmed(cutoff):
    """Delete requests never confirmed, made before `cutoff`; a person with nothing left goes too.

    Only requests that were never anything else: a declined or former member's
    unconfirmed new request keeps its history.
    """
    had_other_status = sa.exists().where(
        MembershipEvent.membership_id == Membership.id, MembershipEvent.to_status != Status.UNCONFIRMED)
    # A declined, left or removed member's request never confirmed: the record stays, what the request asked goes.
    db.session.execute(sa.update(Membership).where(
        Membership.status != Status.UNCONFIRMED, Membership.confirm_sent_at < cutoff,
        sa.or_(Membership.request_name != "", Membership.confirm_nonce != "")).values(
        request_name="", request_organization="", request_role_title="", request_note="", request_language="",
        confirm_nonce="").execution_options(synchronize_session=False))
    return _delete(sa.select(Membership.id, Membership.person_id).where(
        Membership.status == Status.UNCONFIRMED, Membership.requested_at < cutoff, ~had_other_status))


def purge_decided(cutoff):
    """Delete requests declined (or withdrawn) before `cutoff`, with their history; a person with nothing left goes."""
    decided = [s for s in Status if s.value in ("declined", "withdrawn")]
    return _delete(sa.select(Membership.id, Membership.person_id).where(
        Membership.status.in_(decided), Membership.status_changed_at < cutoff))


def _delete(query):
    rows = db.session.execute(query).all()
    ids, people = [r.id for r in rows], {r.person_id for r in rows}
    addresses = []
    for chunk in _chunks(ids):
        # Explicitly, not by cascade: SQLite enforces no foreign keys here.
        db.session.execute(sa.delete(MembershipEvent).where(MembershipEvent.membership_id.in_(chunk)))
        db.session.execute(sa.delete(Membership).where(Membership.id.in_(chunk)))
    for chunk in _chunks(sorted(people)):
        alone = sa.delete(Person).where(Person.id.in_(chunk), ~sa.exists().where(Membership.person_id == Person.id))
        addresses += db.session.scalars(alone.returning(Person.email)).all()
    db.session.expire_all()
    return Gone(memberships=len(ids), addresses=addresses)


def _chunks(items, size=500):
    for start in range(0, len(items), size):
        yield items[start:start + size]

