"""Reading memberships: history, a person's memberships, and the recipients of roster mail.

Each function loads what its page shows in a fixed number of queries; the
roster's pages and its CSV are in roster_queries.py, the review queue in
review_queries.py.
"""
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from webapp.extensions import db
from webapp.groups.models import WorkingGroup
from webapp.membership.models import Membership, MembershipEvent, Person, Status
from webapp.membership.tokens import member_token_maker
from webapp.links import public_url
from webapp.outbox.models import Suppression, SuppressionKind


def _with_people(query):
    return query.options(
        joinedload(Membership.person), joinedload(Membership.organization), joinedload(Membership.group)
    )


def bouncing_in(group, addresses):
    """Which of these addresses, of the group's active members, bounce (suppressed for it), in one query.

    Read from the suppression list, one address at a time: the cost follows
    the addresses asked about, not the group's size.
    """
    in_group = sa.exists().where(Person.email == Suppression.address, Membership.person_id == Person.id,
                                 Membership.group_id == group.id, Membership.status == Status.ACTIVE)
    return set(db.session.scalars(
        sa.select(Suppression.address).where(Suppression.address.in_(list(addresses)),
                                             Suppression.kind == SuppressionKind.BOUNCE, in_group)
    ))


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


def active_memberships_of_address(address):
    """The active memberships of whoever has this address, by group name."""
    return db.session.scalars(
        _with_people(sa.select(Membership))
        .join(Membership.person).join(Membership.group)
        .where(Person.email == address, Membership.status == Status.ACTIVE)
        .order_by(WorkingGroup.name)
    ).all()


def active_memberships_of_addresses(addresses):
    """The active memberships of whoever has these addresses, by group, then name."""
    return db.session.scalars(
        _with_people(sa.select(Membership))
        .join(Membership.person).join(Membership.group)
        .where(Person.email.in_(list(addresses)), Membership.status == Status.ACTIVE)
        .order_by(WorkingGroup.name, sa.func.lower(Person.name))
    ).all()


# What a group's contact sees on its roster. Not an unconfirmed request (anyone can make one with
# anyone's address through the public form) nor a withdrawn one, which was never confirmed either.
ON_THE_ROSTER = (Status.ACTIVE, Status.PENDING, Status.LEFT, Status.REMOVED, Status.DECLINED)


def people_in_groups(group_ids):
    """A SELECT of the addresses of everyone these groups' roster shows (any status it has a tab for)."""
    return (sa.select(Person.email).join(Membership, Membership.person_id == Person.id)
            .where(Membership.group_id.in_(group_ids), Membership.status.in_(ON_THE_ROSTER)))


def roster_reach(groups):
    """(how many distinct active members of these groups get their email, how many do not) in one query.

    Those who do not are on the suppression list: their address bounces, or staff blocked it.
    """
    person = Membership.person_id
    left_out = sa.case((Suppression.id.is_not(None), person))
    everyone, suppressed = db.session.execute(
        sa.select(sa.func.count(sa.distinct(person)), sa.func.count(sa.distinct(left_out)))
        .select_from(Membership).join(Person, Person.id == person)
        .outerjoin(Suppression, Suppression.address == Person.email)
        .where(Membership.group_id.in_([g.id for g in groups]), Membership.status == Status.ACTIVE)
    ).one()
    return everyone - suppressed, suppressed


def roster_recipients(groups):
    """One (address, name, variables) per distinct active member of any of these groups who gets mail, by person.

    The variables fill the footer: the groups this person is in, of those, and a
    link to their own page where they can leave. The rows are read a thousand at
    a time (a server-side cursor on PostgreSQL) as the caller takes people, so a
    roster of any size takes the same memory.
    """
    rows = db.session.execute(
        sa.select(Person.id, Person.email, Person.name, Person.link_version, Person.language, WorkingGroup.name,
                  WorkingGroup.name_es)
        .join(Membership, Membership.person_id == Person.id)
        .join(WorkingGroup, WorkingGroup.id == Membership.group_id)
        .outerjoin(Suppression, Suppression.address == Person.email)
        .where(Membership.group_id.in_([g.id for g in groups]), Membership.status == Status.ACTIVE,
               Suppression.id.is_(None))  # a bouncing or blocked address is not queued at all
        .order_by(Person.id, WorkingGroup.name)
        .execution_options(yield_per=1000)
    )
    leave_base = public_url("me.member_page", token="TOKEN").removesuffix("TOKEN")
    token = member_token_maker()
    try:
        # A person's rows are adjacent (ordered by person): one person's groups at a time.
        for (person_id, email, name, version, language), their_rows in groupby(rows, key=lambda row: tuple(row[:5])):
            # The footer is in their language: the group names too (the other language's where one is empty).
            es = language == "es"
            group_names = ", ".join((row[6] or row[5]) if es else (row[5] or row[6]) for row in their_rows)
            yield email, name, {"groups": group_names, "language": language or "en",
                                "leave_url": leave_base + token(person_id, version) + ("?lang=es" if es else "")}
    finally:
        rows.close()  # a caller that stops early (the preview takes one) frees the cursor now


def people_of_organization(organization_id):
    """[(person, [membership, …])] of everyone who named this organization in a group, by name; one query.

    The memberships are those in which the person named it (a person may join
    another group for another organization), whatever their status, by group.
    """
    memberships = db.session.scalars(
        _with_people(sa.select(Membership))
        .join(Membership.person).join(Membership.group)
        .where(Membership.organization_id == organization_id)
        .order_by(sa.func.lower(Person.name), Person.id, WorkingGroup.name)
    ).all()
    return [(person, list(theirs)) for person, theirs in groupby(memberships, key=lambda m: m.person)]


def active_among(group, membership_ids):
    """The group's active memberships among these ids, by name, with their people and organizations: one query."""
    return db.session.scalars(
        _with_people(sa.select(Membership)).join(Membership.person)
        .where(Membership.group_id == group.id, Membership.status == Status.ACTIVE,
               Membership.id.in_(set(membership_ids)))
        .order_by(Person.name, Membership.id)
    ).unique().all()


def for_audit(membership_ids):
    """{membership id: (person's name, group)} for the audit log's sentences, in one query."""
    rows = db.session.execute(
        sa.select(Membership.id, Person.name, WorkingGroup).join(Membership.person).join(Membership.group)
        .where(Membership.id.in_(list(membership_ids)))
    ).all()
    return {membership_id: (name, group) for membership_id, name, group in rows}


def people_names(person_ids):
    """{person id: name} for these ids, in one query."""
    return dict(db.session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(list(person_ids)))).all())


def audit_targets_in_group(group_id):
    """A SELECT of the audit targets naming this group's memberships ('membership:<id>')."""
    return sa.select(sa.literal("membership:") + sa.cast(Membership.id, sa.String)).where(
        Membership.group_id == group_id)
