"""Reading memberships: review queues, rosters, history, and the recipients of roster mail.

Each function loads what its page shows in a fixed number of queries.
"""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.groups.models import WorkingGroup
from webapp.membership.models import Membership, MembershipEvent, Person, Status
from webapp.membership.tokens import member_token
from webapp.links import public_url


def _with_people(query):
    return query.options(
        joinedload(Membership.person), joinedload(Membership.organization), joinedload(Membership.group)
    )


def pending_requests(groups):
    """Pending requests of these groups, oldest first."""
    return db.session.scalars(
        _with_people(sa.select(Membership))
        .where(Membership.group_id.in_([g.id for g in groups]), Membership.status == Status.PENDING)
        .order_by(Membership.status_changed_at, Membership.id)
    ).all()


def roster(group):
    """The group's active members, by name."""
    return db.session.scalars(
        _with_people(sa.select(Membership))
        .join(Membership.person)
        .where(Membership.group_id == group.id, Membership.status == Status.ACTIVE)
        .order_by(sa.func.lower(Person.name), Person.id)
    ).all()


def membership_with_history(membership_id):
    return db.session.scalar(
        _with_people(sa.select(Membership))
        .options(selectinload(Membership.events).joinedload(MembershipEvent.actor))
        .where(Membership.id == membership_id)
    )


def get_membership(membership_id):
    return db.session.scalar(_with_people(sa.select(Membership)).where(Membership.id == membership_id))


def memberships_of(person_id):
    return db.session.scalars(
        _with_people(sa.select(Membership))
        .where(Membership.person_id == person_id)
        .join(Membership.group)
        .order_by(WorkingGroup.name)
    ).all()


def count_active(groups):
    """How many distinct people are active in any of these groups."""
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Membership.person_id))).where(
            Membership.group_id.in_([g.id for g in groups]), Membership.status == Status.ACTIVE
        )
    )


def roster_recipients(groups):
    """One (address, name, variables) per distinct active member of any of these groups.

    The variables fill the footer: the groups this person is in, of those, and a
    link to their own page where they can leave.
    """
    rows = db.session.execute(
        sa.select(Person.id, Person.email, Person.name, WorkingGroup.name)
        .join(Membership, Membership.person_id == Person.id)
        .join(WorkingGroup, WorkingGroup.id == Membership.group_id)
        .where(Membership.group_id.in_([g.id for g in groups]), Membership.status == Status.ACTIVE)
        .order_by(Person.id, WorkingGroup.name)
    )
    people = {}
    for person_id, email, name, group_name in rows:
        entry = people.setdefault(person_id, (email, name, []))
        entry[2].append(group_name)
    leave_base = public_url("membership.member_page", token="TOKEN").removesuffix("TOKEN")
    for person_id, (email, name, group_names) in people.items():
        token = member_token(person_id)
        yield email, name, {"groups": ", ".join(group_names), "leave_url": leave_base + token}
