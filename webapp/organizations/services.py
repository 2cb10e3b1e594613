import re

import sqlalchemy as sa

from webapp.audit.services import record
from webapp.extensions import db
from webapp.paging import page_of
from webapp.organizations.models import CoalitionStatus, Organization


def name_key(name):
    """The form of a name used to match it: lower case, single spaces."""
    return re.sub(r"\s+", " ", name).strip().lower()


def find_or_create(name):
    """The organization with this name, matched case-insensitively; created as an applicant if new."""
    name = re.sub(r"\s+", " ", name).strip()
    if not name:
        return None
    key = name_key(name)
    organization = db.session.scalar(sa.select(Organization).where(Organization.name_key == key))
    if organization is None:
        organization = Organization(name=name, name_key=key)
        db.session.add(organization)
        db.session.flush()
    return organization


def listed_members():
    """Member organizations that agreed to be listed publicly, by name."""
    return db.session.scalars(
        sa.select(Organization)
        .where(Organization.coalition_status == CoalitionStatus.MEMBER, Organization.listed.is_(True))
        .order_by(Organization.name_key)
    ).all()


class NameTaken(Exception):
    pass


PAGE_SIZE = 100


def organizations_page(status=None, number=1):
    """A page of organizations by name, all or those of one coalition status (webapp.paging.Page)."""
    query = sa.select(Organization)
    if status:
        query = query.where(Organization.coalition_status == CoalitionStatus(status))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    return page_of(query.order_by(Organization.name_key, Organization.id), number, total, PAGE_SIZE)


def get(organization_id):
    return db.session.get(Organization, organization_id)


def update(organization, *, name, website, location, kind, coalition_status, listed, actor=None):
    """Change an organization's details and standing; raises NameTaken if another has the name."""
    key = name_key(name)
    other = db.session.scalar(sa.select(Organization).where(Organization.name_key == key))
    if other is not None and other is not organization:
        raise NameTaken(name)
    organization.name, organization.name_key = re.sub(r"\s+", " ", name).strip(), key
    organization.website, organization.location, organization.kind = website or "", location or "", kind or ""
    organization.coalition_status = CoalitionStatus(coalition_status)
    organization.listed = bool(listed)
    record("organization.update", actor=actor, target=f"organization:{organization.id}",
           coalition_status=coalition_status, listed=bool(listed))
    db.session.commit()


def names_by_id(organization_ids):
    """{organization id: name} for these ids, in one query."""
    return dict(db.session.execute(sa.select(Organization.id, Organization.name)
                                   .where(Organization.id.in_(list(organization_ids)))).all())
