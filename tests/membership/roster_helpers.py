"""Reading a roster page as a person does, and filling a group with many members at once."""
import html
import re
from datetime import timedelta

import sqlalchemy as sa

from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.membership.models import Membership, Person, Status
from webapp.outbox.models import Suppression, SuppressionKind


def names_on(page):
    """The members' names in the roster's table, in the order shown."""
    return [html.unescape(name) for name in re.findall(r'<th scope="row">([^<]*)</th>', page)]


def tab_counts(page):
    """{'Active': 2, 'Pending': 1, ...} as the tabs above the list say."""
    nav = re.search(r'<nav aria-label="Show by status">(.*?)</nav>', page, re.S).group(1)
    return {label: int(n) for label, n in re.findall(r">([A-Za-z ]+) \((\d+)\)<", nav)}


def add_many(group, count, *, status="active", start=0, bouncing=0, organization_id=None):
    """`count` members in executemanys, named Person <start>, Person <start + 1>..., the first `bouncing` bouncing."""
    now = utcnow()
    emails = [f"person{i:05d}@example.org" for i in range(start, start + count)]
    db.session.execute(sa.insert(Person), [
        {"name": f"Person {i:05d}", "email": email} for i, email in enumerate(emails, start)])
    ids = db.session.scalars(sa.select(Person.id).where(Person.email.in_(emails)).order_by(Person.id)).all()
    db.session.execute(sa.insert(Membership), [
        {"person_id": pid, "group_id": group.id, "status": Status(status), "organization_id": organization_id,
         "joined_at": now - timedelta(minutes=i), "status_changed_at": now - timedelta(minutes=i)}
        for i, pid in enumerate(ids)])
    for address in emails[:bouncing]:
        db.session.add(Suppression(address=address, kind=SuppressionKind.BOUNCE, reason="550 5.1.1"))
    db.session.commit()


def bounce(address):
    db.session.add(Suppression(address=address, kind=SuppressionKind.BOUNCE, reason="550 5.1.1"))
    db.session.commit()
