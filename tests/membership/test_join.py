"""Asking to join a group: the form, its errors, and what each address's state leads to."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import membership_of
from webapp.extensions import db
from webapp.membership.models import Membership, Person, Status
from webapp.organizations.models import Organization

FORM = {"name": "Rosa Applicant", "email": "rosa@example.org", "organization": "", "role_title": "",
        "note": "", "consent": "y"}


def ask(client, slug="defensive-support", **fields):
    return client.post(f"/groups/{slug}", data={**FORM, **fields})


def test_group_page_shows_the_group_and_its_listed_contact_by_name_only(client, make):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    make.group(contacts=[contact])
    page = client.get("/groups/defensive-support").get_data(as_text=True)
    assert "Defensive Support" in page and "About Defensive Support." in page
    assert "First thing" in page and "Second thing" in page
    assert "Dalia Contact" in page and "dalia@example.org" not in page
    assert '<label for="email">Email</label>' in page


def test_missing_fields_reshow_the_form_with_a_message_each_and_keep_what_was_typed(client, make, mailbox, deliver):
    make.group()
    response = client.post("/groups/defensive-support", data={"name": "", "email": "not-an-address",
                                                              "organization": "Oasis Legal Services"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please enter your name." in page
    assert "Please enter a valid email address." in page
    assert "We need your agreement to email you about the group." in page
    assert 'value="not-an-address"' in page and 'value="Oasis Legal Services"' in page
    deliver()
    assert mailbox.messages == []


@pytest.mark.parametrize("field, size, message", [
    ("note", 2001, "Please keep the note under 2000 characters."),
    ("name", 121, "Field cannot be longer than 120 characters."),
    ("organization", 201, "Field cannot be longer than 200 characters."),
])
def test_overlong_input_is_refused_with_a_message(client, make, field, size, message):
    make.group()
    response = ask(client, **{field: "x" * size})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_note_of_exactly_the_limit_is_accepted(client, make):
    group = make.group()
    assert ask(client, note="x" * 2000).status_code == 302
    assert len(membership_of(group, "rosa@example.org").request_note) == 2000


def test_unknown_group_is_404(client, app):
    assert client.get("/groups/no-such-group").status_code == 404
    assert client.post("/groups/no-such-group", data=FORM).status_code == 404


def test_closed_group_says_it_is_not_taking_requests(client, make, mailbox, deliver):
    group = make.group(policy="closed")
    page = client.get("/groups/defensive-support").get_data(as_text=True)
    assert "not taking requests" in page and 'name="email"' not in page
    response = ask(client)
    assert response.status_code == 400
    assert membership_of(group, "rosa@example.org") is None
    deliver()
    assert mailbox.messages == []


def test_inactive_group_is_left_out_of_the_directory_and_takes_no_requests(client, make):
    group = make.group(active=False)
    assert "Defensive Support" not in client.get("/groups").get_data(as_text=True)
    assert "not taking requests" in client.get("/groups/defensive-support").get_data(as_text=True)
    assert ask(client).status_code == 400
    assert membership_of(group, "rosa@example.org") is None


def test_a_new_request_is_unconfirmed_with_a_history_and_a_confirmation_email(client, make, mailbox, deliver):
    group = make.group()
    response = ask(client, email="  Rosa@Example.ORG ", organization="The Door", note="Glad to help")
    assert response.status_code == 302
    membership = membership_of(group, "rosa@example.org")
    assert membership.status == Status.UNCONFIRMED
    # What it asked waits on the request until it is confirmed: no organization is made for it yet.
    assert membership.request_note == "Glad to help" and membership.request_organization == "The Door"
    assert membership.note == "" and membership.organization is None
    assert db.session.query(Organization).count() == 0
    assert [(e.from_status, e.to_status) for e in membership.events] == [(None, Status.UNCONFIRMED)]
    deliver()
    (email,) = mailbox.messages
    assert email.rcpt_tos == ["rosa@example.org"]
    assert "/confirm/" in email.text()


def test_organization_is_matched_case_insensitively(client, make, mailbox, deliver):
    group = make.group()
    db.session.add(Organization(name="The Door Legal Service Center", name_key="the door legal service center"))
    db.session.commit()
    ask(client, organization="the  DOOR legal service center")
    deliver()
    assert client.post(_confirm_link(mailbox.to("rosa@example.org")[0])).status_code == 200
    assert membership_of(group, "rosa@example.org").organization.name == "The Door Legal Service Center"
    assert db.session.query(Organization).count() == 1


def test_everyone_sees_the_same_page_whatever_the_address_state(client, make):
    group = make.group()
    make.member(group, email="active@example.org")
    new = client.get(ask(client).location).get_data(as_text=True)
    existing = client.get(ask(client, email="active@example.org").location).get_data(as_text=True)
    assert new == existing


def test_unconfirmed_request_resends_at_most_once_an_hour(client, make, mailbox, deliver):
    group = make.group()
    ask(client)
    ask(client)
    deliver()
    assert len(mailbox.to("rosa@example.org")) == 1
    membership = membership_of(group, "rosa@example.org")
    membership.confirm_sent_at -= timedelta(minutes=61)
    db.session.commit()
    ask(client)
    deliver()
    first, second = mailbox.to("rosa@example.org")
    assert _confirm_link(first) != _confirm_link(second)
    # Only the newest link works.
    assert "already used" in client.get(_confirm_link(first)).get_data(as_text=True)
    assert "Confirm your request" in client.get(_confirm_link(second)).get_data(as_text=True)


@pytest.mark.parametrize("status, subject", [("pending", "Your request to join Defensive Support is waiting"),
                                             ("active", "You are already a member of Defensive Support")])
def test_pending_or_active_asking_again_changes_nothing_and_tells_the_owner(client, make, mailbox, deliver, status,
                                                                           subject):
    group = make.group()
    before = make.member(group, email="rosa@example.org", status=status)
    assert ask(client, note="again").status_code == 302
    deliver()
    (email,) = mailbox.to("rosa@example.org")
    assert email.subject == subject and "/confirm/" not in email.text()
    after = membership_of(group, "rosa@example.org")
    assert after.status == Status(status) and after.note == "" and len(after.events) == len(before.events)


@pytest.mark.parametrize("status", ["declined", "left", "removed"])
def test_declined_left_or_removed_may_ask_again(client, make, mailbox, deliver, status):
    group = make.group()
    make.member(group, email="rosa@example.org", status=status)
    ask(client, note="Second try")
    membership = membership_of(group, "rosa@example.org")
    # Nothing changes until the owner confirms.
    assert membership.status == Status(status) and membership.note == "" and membership.request_note == "Second try"
    deliver()
    (email,) = mailbox.to("rosa@example.org")
    assert client.post(_confirm_link(email)).status_code == 200
    membership = membership_of(group, "rosa@example.org")
    assert membership.status == Status.PENDING and membership.note == "Second try"
    assert [(e.from_status, e.to_status) for e in membership.events][-2:] == [
        (Status(status), Status.UNCONFIRMED), (Status.UNCONFIRMED, Status.PENDING)]


def test_an_unconfirmed_request_does_not_change_a_stored_person(client, make):
    group = make.group()
    make.member(group, name="Rosa Real", email="rosa@example.org")
    ask(client, slug="defensive-support", name="Someone Else")
    assert membership_of(group, "rosa@example.org").person.name == "Rosa Real"


def _confirm_link(received):
    from urllib.parse import urlsplit

    from tests.conftest import links_in

    return urlsplit(next(link for link in links_in(received.text()) if "/confirm/" in link)).path


def test_an_accented_address_typed_two_ways_is_one_person(client, make, mailbox, deliver):
    group = make.group()
    ask(client, email="Jose\u0301@example.org")  # "e" and a combining accent, as some keyboards send it
    ask(client, email="jos\u00e9@example.org")
    assert membership_of(group, "jos\u00e9@example.org").status == Status.UNCONFIRMED
    deliver()
    assert [m.rcpt_tos for m in mailbox.messages] == [["jos\u00e9@example.org"]]  # one person, one email


@pytest.mark.parametrize("address", ["groups@example.org", "Bounces@Example.org", "bounces+12-0123456789@example.org",
                                     "bounces+anything@example.org"])
def test_the_apps_own_addresses_cannot_ask_to_join(client, make, mailbox, deliver, address):
    make.group()
    response = ask(client, email=address)
    assert response.status_code == 400
    assert "This is the group system's own address. Please give your own address." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0
    deliver()
    assert mailbox.messages == []


@pytest.mark.parametrize("pattern,address", [("spam@example.com", "Spam@example.com"), ("example.com", "a@example.com"),
                                             ("example.com", "a@mail.example.com"), ("@example.com", "a@example.com"),
                                             ("*@*.example.net", "x@bad.example.net")])
def test_a_blocked_address_sees_the_same_page_and_nothing_is_stored_or_sent(client, make, mailbox, deliver, pattern,
                                                                             address):
    from webapp.outbox import blocks

    make.group()
    blocks.add(pattern)
    db.session.commit()
    blocked = ask(client, email=address)
    anyone = ask(client, email="rosa@example.org")
    assert (blocked.status_code, blocked.headers["Location"]) == (anyone.status_code, anyone.headers["Location"])
    assert client.get(blocked.headers["Location"]).get_data() == client.get(anyone.headers["Location"]).get_data()
    people = db.session.scalars(sa.select(Person.email)).all()
    assert people == ["rosa@example.org"]
    deliver()
    assert [m.rcpt_tos for m in mailbox.messages] == [["rosa@example.org"]]


def test_a_block_on_one_domain_leaves_its_lookalikes_alone(app):
    from webapp.outbox import blocks

    assert not blocks.matches("@example.com", "a@mail.example.com")
    assert not blocks.matches("example.com", "a@notexample.com")
