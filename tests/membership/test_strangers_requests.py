"""Nobody changes a record but its owner or a reviewer: a request to join waits on itself until it is confirmed.

And the join POST answers every address alike: the same response, one email each, the same statements.
"""
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.conftest import links_in, login, membership_of, recorded_statements
from webapp.extensions import db
from webapp.membership.models import Membership, Status
from webapp.organizations.models import Organization

FORM = {"name": "Rosa Applicant", "email": "rosa@example.org", "organization": "", "role_title": "", "note": "",
        "consent": "y"}


def ask(client, slug="defensive-support", **fields):
    return client.post(f"/groups/{slug}", data={**FORM, **fields})


def confirm_link(received):
    return urlsplit(next(link for link in links_in(received.text()) if "/confirm/" in link)).path


def snapshot(membership_id):
    """Everything a contact sees of a membership: its record, its person, its organization and its history."""
    db.session.expire_all()
    m = db.session.get(Membership, membership_id)
    return {"status": m.status, "reason": m.decision_reason, "decided_by": m.decided_by_id, "note": m.note,
            "role": m.role_title, "organization": m.organization_id, "name": m.person.name,
            "language": m.person.language, "requested_at": m.requested_at, "changed": m.status_changed_at,
            "joined": m.joined_at, "consented": m.consented_at,
            "events": [(e.from_status, e.to_status, e.reason) for e in m.events]}


def test_a_strangers_invented_name_never_reaches_the_contact(client, make, mailbox, deliver):
    contact = make.user(email="dalia@example.org")
    group = make.group(contacts=[contact])
    ask(client, name="NAME CHOSEN BY A STRANGER", organization="Stranger Org", note="stranger's note")
    membership = membership_of(group, "rosa@example.org")
    membership.confirm_sent_at -= timedelta(hours=2)  # the genuine request comes later
    db.session.commit()
    ask(client, name="Rosa Real", organization="The Door", note="Glad to help")
    deliver()
    *_, genuine = mailbox.to("rosa@example.org")
    assert client.post(confirm_link(genuine)).status_code == 200
    login(client, "dalia@example.org")
    page = client.get("/groups/defensive-support/review").get_data(as_text=True)
    assert "Rosa Real" in page and "The Door" in page and "Glad to help" in page
    assert "STRANGER" not in page and "Stranger" not in page and "stranger" not in page
    assert db.session.scalar(sa.select(Organization.name).where(Organization.name == "Stranger Org")) is None


def test_a_strangers_request_for_a_members_address_in_another_group_changes_nothing_they_see(
        client, make, mailbox, deliver):
    group = make.group(contacts=[make.user(email="dalia@example.org")])
    make.group(slug="youth", name="Youth Organizing")
    member = make.member(group, name="Rosa Real", email="rosa@example.org", organization="The Door")
    before = snapshot(member.id)
    organizations = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    ask(client, slug="youth", name="NAME CHOSEN BY A STRANGER", organization="Stranger Org", role_title="Boss")
    assert snapshot(member.id) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == organizations
    login(client, "dalia@example.org")
    roster = client.get("/groups/defensive-support/roster").get_data(as_text=True)
    assert "Rosa Real" in roster and "STRANGER" not in roster


@pytest.mark.parametrize("status", ["declined", "left", "removed"])
def test_an_anonymous_request_keeps_a_decided_record_as_it_was_until_confirmed(client, make, mailbox, deliver,
                                                                                status):
    group = make.group(contacts=[make.user(email="dalia@example.org")])
    member = make.member(group, name="Rosa Real", email="rosa@example.org", status=status, organization="The Door")
    member.decision_reason = member.events[0].reason = "Not a fit right now"
    member.role_title = "Organizer"
    member.note = "First note"
    db.session.commit()
    before = snapshot(member.id)
    assert ask(client, name="Someone Else", organization="Stranger Org", role_title="Boss",
               note="Let me in").status_code == 302
    assert snapshot(member.id) == before
    login(client, "dalia@example.org")
    history = client.get(f"/memberships/{member.id}").get_data(as_text=True)
    assert "Not a fit right now" in history and "Someone Else" not in history and "Let me in" not in history
    client.post("/logout")

    # The owner confirms: only now does a new cycle start, and the old decision stays in the history.
    deliver()
    (email,) = mailbox.to("rosa@example.org")
    page = client.get(confirm_link(email)).get_data(as_text=True)
    assert "Someone Else" in page and "Let me in" in page  # the owner sees what they would confirm
    assert client.post(confirm_link(email)).status_code == 200
    after = snapshot(member.id)
    assert after["status"] == Status.PENDING and after["name"] == "Someone Else" and after["note"] == "Let me in"
    assert after["reason"] == "" and after["role"] == "Boss"
    assert after["events"][:len(before["events"])] == before["events"]
    assert after["events"][len(before["events"]):] == [(Status(status), Status.UNCONFIRMED, ""),
                                                       (Status.UNCONFIRMED, Status.PENDING, "")]


def test_an_unconfirmed_link_of_a_decided_record_that_was_replaced_does_nothing(client, make, mailbox, deliver):
    group = make.group()
    member = make.member(group, email="rosa@example.org", status="declined")
    ask(client, note="first")
    membership_of(group, "rosa@example.org").confirm_sent_at -= timedelta(hours=2)
    db.session.commit()
    ask(client, note="second")
    deliver()
    first, second = mailbox.to("rosa@example.org")
    assert "already used" in client.post(confirm_link(first)).get_data(as_text=True)
    assert snapshot(member.id)["status"] == Status.DECLINED
    assert client.post(confirm_link(second)).status_code == 200
    assert snapshot(member.id)["note"] == "second"


STATES = ["new", "unconfirmed", "pending", "active", "left", "declined", "removed"]


def _address_in(make, group, state):
    address = f"{state}@example.org"
    if state != "new":
        make.member(group, name=f"Stored {state}", email=address, status=state)
    return address


def _without_csrf(body):
    return re.sub(rb'name="csrf_token"[^>]*>', b"", body)


def test_the_join_post_answers_every_state_alike_and_queues_one_email_each(client, make, mailbox, deliver):
    group = make.group(contacts=[make.user(email="dalia@example.org")])
    addresses = {state: _address_in(make, group, state) for state in STATES}
    answers = {}
    for state, address in addresses.items():
        response = ask(client, email=address, name="Same Name", note="Same note")
        followed = client.get(response.headers["Location"])
        answers[state] = (response.status_code, response.headers["Location"], response.get_data(),
                          sorted((k, v) for k, v in response.headers.items() if k.lower() not in ("set-cookie", "x-request-id")),
                          followed.status_code, _without_csrf(followed.get_data()))
    assert all(answer == answers["new"] for answer in answers.values())
    deliver()
    for state, address in addresses.items():
        assert len(mailbox.to(address)) == 1, state
    assert mailbox.to("dalia@example.org") == []  # nothing reaches the contact before a confirmation


def _kind(statement):
    """(verb, table) of a SQL statement."""
    words = statement.split()
    verb = words[0].upper()
    table = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": None, "DELETE": "FROM"}.get(verb)
    target = words[1] if table is None and len(words) > 1 else words[words.index(table) + 1] if table in words else ""
    return verb, target.strip('"')


def _statements(app, fn):
    with recorded_statements() as seen:
        fn()
    return [_kind(statement) for statement, _ in seen]


def test_the_join_post_runs_the_same_statements_for_every_stored_state(app, client, make):
    group = make.group()
    addresses = {state: _address_in(make, group, state) for state in STATES if state != "new"}
    kinds = {state: sorted(set(_statements(app, lambda a=address: ask(client, email=a))))
             for state, address in addresses.items()}
    assert all(k == kinds["unconfirmed"] for k in kinds.values()), kinds
    # A new address runs the same ones, and writes its request's first history row.
    new = set(_statements(app, lambda: ask(client, email="new@example.org")))
    assert new - set(kinds["unconfirmed"]) == {("INSERT", "membership_event")}
    assert set(kinds["unconfirmed"]) - new == set()


def test_a_decided_members_request_never_confirmed_is_forgotten_by_the_purge_and_the_record_stays(
        app, client, make, mailbox, deliver):
    group = make.group()
    member = make.member(group, name="Rosa Real", email="rosa@example.org", status="left")
    before = snapshot(member.id)
    ask(client, name="Someone Else", note="A stranger's words")
    deliver()
    (email,) = mailbox.to("rosa@example.org")
    membership = membership_of(group, "rosa@example.org")
    membership.confirm_sent_at -= timedelta(days=app.config["RETAIN_UNCONFIRMED_DAYS"] + 1)
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["purge"]).exit_code == 0
    db.session.expire_all()
    membership = membership_of(group, "rosa@example.org")
    assert (membership.request_name, membership.request_note) == ("", "")
    assert snapshot(member.id) == before
    assert "already used" in client.post(confirm_link(email)).get_data(as_text=True)


def test_erasing_a_person_empties_their_unconfirmed_request_too(app, client, make):
    from webapp.privacy.services import erase

    group = make.group()
    member = make.member(group, name="Rosa Real", email="rosa@example.org", status="declined")
    ask(client, name="Rosa Again", organization="Words Org", role_title="Words Role", note="Words of a note")
    erase(member.person, make.user(role="staff"))
    db.session.commit()
    db.session.expire_all()
    membership = db.session.get(Membership, member.id)
    assert (membership.request_name, membership.request_organization, membership.request_role_title,
            membership.request_note, membership.confirm_nonce) == ("", "", "", "", "")
