import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import permissions
from webapp.accounts.models import User
from webapp.accounts.services import deactivating
from webapp.audit.services import record
from webapp.extensions import db
from webapp.groups.models import GroupContact, JoinPolicy, WorkingGroup


def _with_contacts(query):
    return query.options(selectinload(WorkingGroup.contact_links))


def directory():
    """The active working groups, by name, with their contacts loaded."""
    return db.session.scalars(
        _with_contacts(sa.select(WorkingGroup).where(WorkingGroup.active.is_(True)).order_by(WorkingGroup.name))
    ).all()


def active_users():
    return db.session.scalars(sa.select(User).where(User.active.is_(True)).order_by(sa.func.lower(User.name))).all()


def all_groups():
    return db.session.scalars(_with_contacts(sa.select(WorkingGroup).order_by(WorkingGroup.name))).all()


def by_slug(slug, contacts=True):
    """The group with this slug, or None; with its contacts loaded unless told they are not needed."""
    query = sa.select(WorkingGroup).where(WorkingGroup.slug == slug)
    return db.session.scalar(_with_contacts(query) if contacts else query)


def groups_of_contact(user):
    """The groups a user is a contact person of."""
    return db.session.scalars(
        _with_contacts(sa.select(WorkingGroup).join(GroupContact).where(GroupContact.user_id == user.id))
        .order_by(WorkingGroup.name)
    ).all()


def groups_looked_after_by(user):
    """Every group for staff; for a contact person, the groups they are a contact of."""
    return all_groups() if permissions.is_staff(user) else groups_of_contact(user)


class NoContactLeft(Exception):
    """A working group must keep at least one active contact person."""


class ListedNotAContact(Exception):
    """The contact named publicly must be one of the group's contacts."""


def set_contacts(group, users, listed=None):
    """Make these users the group's contacts, in this order.

    `listed` is named on the public pages; by default the one named now if they
    stay, else the first.
    """
    ids = [user.id for user in users]
    current = {link.user_id: link for link in group.contact_links}
    if listed is not None:
        named = listed.id
    else:
        named = next((uid for uid, link in current.items() if link.listed and uid in ids), ids[0] if ids else None)
    if any(link.listed and uid != named for uid, link in current.items()):
        # Unlisted in a statement of its own: one listed contact per group holds after every statement.
        for link in current.values():
            link.listed = False
        db.session.flush()
    links = []
    for position, user in enumerate(users):
        link = current.get(user.id) or GroupContact(user=user)
        link.position, link.listed = position, user.id == named
        links.append(link)
    group.contact_links = links


def contact_user_ids(group):
    return [link.user_id for link in group.contact_links]


def listed_user_id(group):
    listed = group.listed_contact
    return listed.id if listed else None


def set_contacts_by_id(group, user_ids, listed_id=None, actor=None):
    """Make these accounts the group's contacts, keeping the order of those who stay.

    Raises NoContactLeft (a group keeps at least one active contact) or
    ListedNotAContact, and then nothing changes.
    """
    wanted = set(user_ids)
    kept = [uid for uid in contact_user_ids(group) if uid in wanted]
    added = sorted(wanted - set(kept))
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(wanted)))}
    contacts = [users[uid] for uid in kept + added if uid in users]
    if not any(user.active for user in contacts):
        raise NoContactLeft(group.name)
    if listed_id is not None and listed_id not in users:
        raise ListedNotAContact(group.name)
    set_contacts(group, contacts, listed=users.get(listed_id))
    record("group.contacts", actor=actor, target=f"group:{group.id}", contacts=[u.id for u in contacts],
           listed=listed_user_id(group))
    db.session.commit()


@deactivating.connect
def only_contact_of(user, **extra):
    """The names of the groups this user is the only active contact of: they must not be deactivated."""
    others = (sa.select(GroupContact.group_id).join(User, User.id == GroupContact.user_id)
              .where(GroupContact.user_id != user.id, User.active.is_(True)))
    return db.session.scalars(
        sa.select(WorkingGroup.name).join(GroupContact, GroupContact.group_id == WorkingGroup.id)
        .where(GroupContact.user_id == user.id, WorkingGroup.id.not_in(others)).order_by(WorkingGroup.name)
    ).all()


class SlugTaken(Exception):
    pass


def save_group(group, *, name, slug, summary, description, accomplishments, join_policy, active, actor=None,
               name_es="", summary_es="", description_es="", accomplishments_es=""):
    """Create a working group (group=None) or change one; raises SlugTaken if the address is another group's.

    The texts come in English and in Spanish (the `_es` ones); either may be empty.
    """
    other = by_slug(slug)
    if other is not None and other is not group:
        raise SlugTaken(slug)
    if group is None:
        group = WorkingGroup()
        db.session.add(group)
    group.name, group.slug, group.summary = name, slug, summary or ""
    group.description, group.accomplishments = description or "", accomplishments or ""
    group.name_es, group.summary_es = name_es or "", summary_es or ""
    group.description_es, group.accomplishments_es = description_es or "", accomplishments_es or ""
    group.join_policy, group.active = JoinPolicy(join_policy), bool(active)
    db.session.flush()
    record("group.save", actor=actor, target=f"group:{group.id}", slug=slug, join_policy=join_policy,
           active=bool(active))
    db.session.commit()
    return group


def by_ids(group_ids):
    """{group id: group} for these ids, in one query."""
    return {g.id: g for g in db.session.scalars(sa.select(WorkingGroup).where(WorkingGroup.id.in_(list(group_ids))))}
