import re

import sqlalchemy as sa

from webapp.extensions import db
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
