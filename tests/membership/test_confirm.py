"""The confirmation link: a GET shows a button, only the POST confirms; bad links say what to do."""
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

from tests.conftest import links_in, membership_of
from webapp.extensions import db
from webapp.groups.models import JoinPolicy
from webapp.membership.models import Status


def request_and_get_link(client, mailbox, deliver, slug="defensive-support", email="rosa@example.org"):
    client.post(f"/groups/{slug}", data={"name": "Rosa Applicant", "email": email, "consent": "y",
                                         "note": "Happy to help"})
    deliver()
    (received,) = mailbox.to(email)
    mailbox.clear()
    return urlsplit(next(link for link in links_in(received.text()) if "/confirm/" in link)).path


def test_opening_the_link_changes_nothing(client, make, mailbox, deliver):
    group = make.group(contacts=[make.user(email="dalia@example.org")])
    link = request_and_get_link(client, mailbox, deliver)
    for _ in range(3):  # a mail scanner, a preview pane, the person
        page = client.get(link)
        assert page.status_code == 200 and '<input id="submit" name="submit" type="submit" value="Confirm">' in \
            page.get_data(as_text=True)
    assert membership_of(group, "rosa@example.org").status == Status.UNCONFIRMED
    deliver()
    assert mailbox.messages == []


def test_confirming_a_moderated_group_makes_it_pending_and_tells_every_contact(client, make, mailbox, deliver):
    first, second = make.user(email="dalia@example.org"), make.user(email="second@example.org")
    group = make.group(contacts=[first, second])
    link = request_and_get_link(client, mailbox, deliver)
    assert client.post(link).status_code == 200
    membership = membership_of(group, "rosa@example.org")
    assert membership.status == Status.PENDING
    assert [(e.from_status, e.to_status, e.actor_label) for e in membership.events][-1] == \
        (Status.UNCONFIRMED, Status.PENDING, "applicant")
    deliver()
    for contact in ("dalia@example.org", "second@example.org"):
        (email,) = mailbox.to(contact)
        assert "Rosa Applicant" in email.text() and "Happy to help" in email.text()
        assert "http://localhost/groups/defensive-support/review" in email.text()
    (received,) = mailbox.to("rosa@example.org")
    assert received.subject == "We received your request to join Defensive Support"


def test_confirming_an_open_group_makes_a_member_at_once(client, make, mailbox, deliver):
    group = make.group(policy="open", contacts=[make.user(email="dalia@example.org")])
    link = request_and_get_link(client, mailbox, deliver)
    page = client.post(link).get_data(as_text=True)
    assert "Welcome to Defensive Support" in page
    assert membership_of(group, "rosa@example.org").status == Status.ACTIVE
    deliver()
    (welcome,) = mailbox.to("rosa@example.org")
    assert welcome.subject == "Welcome to Defensive Support" and "/me/" in welcome.text()
    assert mailbox.to("dalia@example.org") == []


def test_a_used_link_says_so(client, make, mailbox, deliver):
    make.group()
    link = request_and_get_link(client, mailbox, deliver)
    client.post(link)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410
        assert "This link was already used" in response.get_data(as_text=True)
    deliver()
    assert len(mailbox.messages) == 1  # the one "received" notice, not two


def test_an_expired_link_says_what_to_do(client, make, mailbox, deliver, app):
    group = make.group()
    link = request_and_get_link(client, mailbox, deliver)
    later = app.config["CONFIRM_LINK_HOURS"] * 3600 + 60
    with mock.patch("itsdangerous.timed.time.time", return_value=__import__("time").time() + later):
        response = client.post(link)
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
    assert membership_of(group, "rosa@example.org").status == Status.UNCONFIRMED


def test_a_tampered_link_is_not_found(client, make, mailbox, deliver):
    make.group()
    link = request_and_get_link(client, mailbox, deliver)
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


def test_a_group_that_closed_meanwhile_refuses_the_confirmation(client, make, mailbox, deliver):
    group = make.group()
    link = request_and_get_link(client, mailbox, deliver)
    group.join_policy = JoinPolicy.CLOSED
    db.session.commit()
    response = client.post(link)
    assert "not taking requests" in response.get_data(as_text=True)
    assert membership_of(group, "rosa@example.org").status == Status.UNCONFIRMED


def test_purge_removes_stale_unconfirmed_requests_only(client, make, mailbox, deliver, app):
    group = make.group()
    request_and_get_link(client, mailbox, deliver)
    make.member(group, email="kept@example.org", status="pending")
    stale = membership_of(group, "rosa@example.org")
    stale.requested_at -= timedelta(hours=100)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-unconfirmed"])
    assert "Purged 1 unconfirmed requests." in result.output
    assert membership_of(group, "rosa@example.org") is None
    assert membership_of(group, "kept@example.org").status == Status.PENDING


def test_an_internationalized_address_asks_confirms_and_is_welcomed(client, make, mailbox, deliver):
    group = make.group(policy="open")
    link = request_and_get_link(client, mailbox, deliver, email="josé@example.org")
    client.post(link)
    assert membership_of(group, "josé@example.org").status == Status.ACTIVE
    deliver()
    (welcome,) = mailbox.to("josé@example.org")
    assert welcome.subject == "Welcome to Defensive Support"
    assert "<josé@example.org>".encode() in welcome.data  # the To: header, in UTF-8 (RFC 6532)
