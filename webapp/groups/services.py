import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import permissions
from webapp.accounts.models import User
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


def by_slug(slug):
    return db.session.scalar(_with_contacts(sa.select(WorkingGroup).where(WorkingGroup.slug == slug)))


def groups_of_contact(user):
    """The groups a user is a contact person of."""
    return db.session.scalars(
        _with_contacts(sa.select(WorkingGroup).join(GroupContact).where(GroupContact.user_id == user.id))
        .order_by(WorkingGroup.name)
    ).all()


def groups_looked_after_by(user):
    """Every group for staff; for a contact person, the groups they are a contact of."""
    return all_groups() if permissions.is_staff(user) else groups_of_contact(user)


def set_contacts(group, users):
    """Make these users the group's contacts, in this order; the first is the listed one."""
    group.contact_links = [GroupContact(user_id=user.id, position=i) for i, user in enumerate(users)]


def add_contact(group, user):
    if any(link.user_id == user.id for link in group.contact_links):
        return
    group.contact_links.append(GroupContact(user_id=user.id, position=len(group.contact_links)))


def remove_contact(group, user):
    group.contact_links = [link for link in group.contact_links if link.user_id != user.id]


def contact_user_ids(group):
    return [link.user_id for link in group.contact_links]


def set_contacts_by_id(group, user_ids, actor=None):
    """Make these accounts the group's contacts, keeping the order of those who stay."""
    wanted = set(user_ids)
    kept = [uid for uid in contact_user_ids(group) if uid in wanted]
    added = sorted(wanted - set(kept))
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(wanted)))}
    set_contacts(group, [users[uid] for uid in kept + added if uid in users])
    record("group.contacts", actor=actor, target=f"group:{group.id}", contacts=kept + added)
    db.session.commit()


class SlugTaken(Exception):
    pass


def save_group(group, *, name, slug, summary, description, accomplishments, join_policy, active, actor=None):
    """Create a working group (group=None) or change one; raises SlugTaken if the address is another group's."""
    other = by_slug(slug)
    if other is not None and other is not group:
        raise SlugTaken(slug)
    if group is None:
        group = WorkingGroup()
        db.session.add(group)
    group.name, group.slug, group.summary = name, slug, summary or ""
    group.description, group.accomplishments = description or "", accomplishments or ""
    group.join_policy, group.active = JoinPolicy(join_policy), bool(active)
    db.session.flush()
    record("group.save", actor=actor, target=f"group:{group.id}", slug=slug, join_policy=join_policy,
           active=bool(active))
    db.session.commit()
    return group
