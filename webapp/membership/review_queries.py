"""Reading the review queue: a page of pending requests, the counts contacts see, and what waited too long.

Each reads pending rows through ix_membership_review (status, group_id,
status_changed_at): its cost follows the number of pending requests of the
groups, not the number of memberships.
"""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from webapp import permissions
from webapp.extensions import db
from webapp.groups.models import GroupContact, WorkingGroup
from webapp.membership.models import Membership, Status
from webapp.paging import page_of

PAGE_SIZE = 25


def _pending_in(group_ids):
    return (Membership.status == Status.PENDING, Membership.group_id.in_(group_ids))


def queue(groups, number):
    """A page of these groups' pending requests, the longest waiting first, each with its person and group."""
    ids = [g.id for g in groups]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(*_pending_in(ids)))
    query = (
        sa.select(Membership).where(*_pending_in(ids))
        .options(joinedload(Membership.person), joinedload(Membership.organization), joinedload(Membership.group))
        .order_by(Membership.status_changed_at, Membership.id)
    )
    return page_of(query, number, total, PAGE_SIZE)


def waiting_by_group(groups):
    """{group id: pending requests} for these groups, in one grouped query; a group with none is left out."""
    return dict(db.session.execute(
        sa.select(Membership.group_id, sa.func.count()).where(*_pending_in([g.id for g in groups]))
        .group_by(Membership.group_id)
    ).all())


def waiting_for(user):
    """How many requests wait in the groups this user reviews (every group for staff), in one query."""
    query = sa.select(sa.func.count()).select_from(Membership).where(Membership.status == Status.PENDING)
    if not permissions.is_staff(user):
        theirs = sa.select(GroupContact.group_id).where(GroupContact.user_id == user.id)
        query = query.where(Membership.group_id.in_(theirs))
    return db.session.scalar(query)


def waiting_since_before(cutoff):
    """Pending requests whose status changed before `cutoff`, by group name then longest waiting, with their
    person, organization, group and the group's contacts."""
    return db.session.scalars(
        sa.select(Membership).join(Membership.group)
        .where(Membership.status == Status.PENDING, Membership.status_changed_at < cutoff)
        .options(joinedload(Membership.person), joinedload(Membership.organization),
                 joinedload(Membership.group).selectinload(WorkingGroup.contact_links))
        .order_by(WorkingGroup.name, Membership.status_changed_at, Membership.id)
    ).all()


def for_decision(membership_ids):
    """The memberships with these ids, oldest request first, with what deciding them needs loaded."""
    return db.session.scalars(
        sa.select(Membership).where(Membership.id.in_(membership_ids))
        .options(joinedload(Membership.person), joinedload(Membership.organization),
                 joinedload(Membership.group).selectinload(WorkingGroup.contact_links))
        .order_by(Membership.status_changed_at, Membership.id)
    ).all()
