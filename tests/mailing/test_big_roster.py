"""A roster bigger than the pieces the outbox writes at a time: everyone once, each with their own footer."""
import email
import re
from email.header import decode_header, make_header
from email.utils import parseaddr

import sqlalchemy as sa

from tests.conftest import login
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing import compose
from webapp.mailing import services as mailing
from webapp.membership.models import Membership, Person, Status
from webapp.membership.tokens import read_member_token
from webapp.outbox import services as outbox
from tests.mailing.sending import send_message

MEMBERS = 2_500  # more than one chunk of the outbox


def _roster(make):
    """MEMBERS active people over two groups, a third of them in both; and people who get nothing.

    Returns the groups and, by address, (person id, name, the groups' names as the footer lists them).
    """
    defensive = make.group()
    youth = make.group(slug="youth-organizing", name="Youth Organizing")
    elsewhere = make.group(slug="narrative", name="Narrative-Based Advocacy")
    names = [f"Zoë Ñúñez 👋 {i}" if i % 97 == 0 else f"Member {i}" for i in range(MEMBERS + 30)]
    db.session.execute(sa.insert(Person), [{"name": name, "email": f"person{i:05d}@example.org"}
                                           for i, name in enumerate(names)])
    people = db.session.execute(sa.select(Person.id, Person.email, Person.name).order_by(Person.email)).all()
    now = utcnow()
    memberships, expected = [], {}
    for i, (person_id, address, name) in enumerate(people):
        if i >= MEMBERS:  # not active in either group, or active only in a group not written to
            group, status = [(defensive, Status.PENDING), (youth, Status.LEFT), (elsewhere, Status.ACTIVE)][i % 3]
            memberships.append({"person_id": person_id, "group_id": group.id, "status": status})
            continue
        groups = [g for g, member in ((defensive, i % 3 != 2), (youth, i % 3 != 0)) if member]
        memberships += [{"person_id": person_id, "group_id": g.id, "status": Status.ACTIVE} for g in groups]
        if i % 3 == 0:
            memberships.append({"person_id": person_id, "group_id": youth.id, "status": Status.PENDING})
        expected[address] = (person_id, name, ", ".join(g.name for g in groups))
    db.session.execute(sa.insert(Membership), [{**m, "consented_at": now, "joined_at": now} for m in memberships])
    db.session.commit()
    return defensive, youth, expected


def test_a_roster_bigger_than_a_chunk_gets_one_email_each_with_their_groups_and_own_link(
        client, make, mailbox, deliver):
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    defensive, youth, expected = _roster(make)
    login(client, "staff@example.org")
    sent = send_message(client, {"groups": [defensive.id, youth.id], "subject": "Hill visit",
                                 "body": "See you **Tuesday**."})
    assert f"Your message is queued for {MEMBERS} members." in client.get(sent.location).get_data(as_text=True)
    deliver()

    received = mailbox.messages
    assert sorted(a for m in received for a in m.rcpt_tos) == sorted(expected)
    for message in received:
        (address,) = message.rcpt_tos
        person_id, name, groups = expected[address]
        to, text, html = _read(message.data)
        assert to == (name, address)
        assert f"You receive this email as a member of {groups} (" in text
        assert f"You receive this email as a member of {groups} (" in html
        (token,) = re.findall(r"http://localhost/me/(\S+)", text)
        assert read_member_token(token) == (person_id, 1)
        assert f'href="http://localhost/me/{token}"' in html


def _read(data):
    """(To's name and address, text, HTML) of a received email.

    The email package's compat32 parser: the default policy's takes a
    millisecond or two an email, and there are thousands of them here.
    """
    message = email.message_from_bytes(data)
    parts = {part.get_content_type(): part.get_payload(decode=True).decode()
             for part in message.walk() if not part.is_multipart()}
    to = parseaddr(str(make_header(decode_header(message["To"]))))
    return to, parts["text/plain"], parts["text/html"]


def test_queueing_writes_each_piece_of_the_roster_before_reading_the_next(app, make, monkeypatch):
    """What keeps a Send's memory flat whatever the roster's size: nothing gathers every recipient first."""
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    defensive, youth, _ = _roster(make)
    read, read_at_each_write = 0, []
    roster_recipients = compose.roster_recipients

    def counted(groups):
        nonlocal read
        for recipient in roster_recipients(groups):
            read += 1
            yield recipient

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO DELIVERY"):
            read_at_each_write.append(read)

    monkeypatch.setattr(compose, "roster_recipients", counted)
    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        with app.test_request_context():
            mailing.send(staff, "Hill visit", "See you Tuesday.", [defensive, youth])
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)
    assert read == MEMBERS
    assert len(read_at_each_write) > 1 and read_at_each_write[0] <= outbox.CHUNK_SIZE < MEMBERS
