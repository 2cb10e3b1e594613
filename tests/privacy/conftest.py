"""A person with something in every table that can hold them, made the way people and staff really do it."""
import json
import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.bounces.conftest import sample
from tests.conftest import links_in, login
from webapp.audit.services import record
from webapp.bounces import services as bounces
from webapp.bounces import staff as bounce_staff
from webapp.extensions import db
from webapp.mailing import services as mailing
from webapp.membership.models import Membership, Person

NAME = "Rosa Quintanilla"
ADDRESS = "rosa.q@example.org"
NOTE = "I run the Tuesday clinic for youth in the backlog."
ROLE = "Paralegal at the clinic"
REASON = "Welcome aboard, glad to have you"
BLOCK_NOTE = f"{NAME} asked us to stop writing"


def path_of(url):
    return urlsplit(url).path


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def person_id(address=ADDRESS):
    db.session.expire_all()
    return db.session.scalar(sa.select(Person.id).where(Person.email == address))


@pytest.fixture
def rosa(make, client, mailbox, deliver):
    """Rosa asks to join two groups, confirms, is approved with a reason, gets a roster email that bounces,
    and staff block her address at her request. Returns what the test needs."""
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    omar = make.user(name="Omar Contact", email="omar@example.org")
    group = make.group(contacts=[dalia, omar])
    youth = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[dalia], policy="open")
    make.member(group, name="Ana Active", email="ana@example.com")
    for slug in ("defensive-support", "youth-organizing"):
        client.post(f"/groups/{slug}", data={"name": NAME, "email": ADDRESS, "organization": "Oasis Legal",
                                             "role_title": ROLE, "note": NOTE, "consent": "y"})
    deliver()
    for confirmation in mailbox.to(ADDRESS):
        client.post(path_of(next(link for link in links_in(confirmation.text()) if "/confirm/" in link)))
    login(client, "dalia@example.org")
    pending = db.session.scalar(sa.select(Membership.id).join(Person).where(
        Person.email == ADDRESS, Membership.group_id == group.id))
    client.post(f"/memberships/{pending}/decide", data={"approve": "Approve", "reason": REASON})
    client.post("/logout")
    deliver()
    mailbox.clear()
    with current_app.test_request_context():
        mailing.send(staff, "Hill visit on Tuesday", "Please **join** us.", [group, youth])
    deliver()
    (roster_email,) = mailbox.to(ADDRESS)
    bounces.receive(sample("postfix_dsn_hard.eml", roster_email.mail_from, ADDRESS))
    bounce_staff.block(ADDRESS, BLOCK_NOTE, actor=staff)
    record("delivery.resend", actor=staff, target="delivery:1", address=ADDRESS.upper(),
           seen=[f"{NAME} <{ADDRESS}>", "Ana Active"])
    db.session.commit()
    unsubscribe = path_of(next(link for link in links_in(roster_email.text()) if "/unsubscribe/" in link))
    own_page = path_of(next(link for link in links_in(roster_email.text()) if "/me/" in link))
    return {"staff": staff, "group": group, "youth": youth, "unsubscribe": unsubscribe, "own_page": own_page}


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def found_in_database(*needles):
    """Each table.column where any of the needles appears, in any case: every text, JSON and byte column of
    every table, read with one query per table."""
    needles = [n.lower() for n in needles]
    found = set()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns
                   if isinstance(getattr(c.type, "impl_instance", c.type), (sa.String, sa.JSON, sa.LargeBinary))]
        if not columns:
            continue
        for row in db.session.execute(sa.select(*columns)):
            for column, value in zip(columns, row):
                if any(n in _text(value).lower() for n in needles):
                    found.add(f"{table.name}.{column.name}")
    return found


def action_of(text, button):
    """The action of the form whose submit button says `button`."""
    for form in re.findall(r"<form .*?</form>", text, flags=re.S):
        if f'value="{button}"' in form or f">{button}</button>" in form:
            return re.search(r'action="([^"]+)"', form).group(1)
    raise AssertionError(f"no form with a {button} button")
