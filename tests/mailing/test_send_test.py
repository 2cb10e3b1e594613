"""Send a test to myself: one email, as a member gets it, to the sender only; marked as a test; the message waits."""
import re

import sqlalchemy as sa

from tests.conftest import login
from tests.mailing.sending import message_id
from webapp.extensions import db
from webapp.mailing.models import Message
from webapp.outbox.models import Delivery

SHARED_HEADERS = ("From", "Subject", "Reply-To", "List-Id", "List-Unsubscribe-Post", "Precedence", "MIME-Version")


def _form(people, **extra):
    return {"groups": [people["defensive"].id], "subject": "Hill visit on Tuesday", "body": "Please **join** us.",
            "reply_to": "rachel@example.org", **extra}


def _without_personal_links(text):
    return re.sub(r"http://localhost/(me|unsubscribe)/\S+", "LINK", text)


def test_a_test_goes_to_the_sender_alone_exactly_as_a_member_gets_it(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    response = client.post("/messages/new", data={**_form(people), "test": "x"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "A test is on its way to dalia@example.org. The message itself is not sent." in page
    deliver()
    (test,) = mailbox.messages
    assert test.rcpt_tos == ["dalia@example.org"] and test.to == "Dalia Contact <dalia@example.org>"
    message = db.session.get(Message, message_id(response))
    assert message.status == "draft" and message.email_id is None

    # The message page marks it as a test, with how it went; the members got nothing.
    page = client.get(response.location).get_data(as_text=True)
    assert "<strong>Test</strong>: sent to dalia@example.org on" in page and ">Sent<" in page
    assert "Draft: not sent" in page

    # Now send it for real: a member's copy is the test's but for To, Date, Message-ID and their own links.
    mailbox.clear()
    client.post(f"/messages/{message.id}/confirm")
    deliver()
    member = mailbox.to(people["members"][0])[0]
    for header in SHARED_HEADERS:
        assert str(test.message[header]) == str(member.message[header]), header
    assert test.message["List-Unsubscribe"] is not None
    assert _without_personal_links(test.text()) == _without_personal_links(member.text())
    assert _without_personal_links(test.html()) == _without_personal_links(member.html())
    assert "You receive this email as a member of Defensive Support" in test.text()


def test_the_tests_links_change_nothing(client, people, mailbox, deliver, make):
    make.member(people["defensive"], name="Dalia as member", email="dalia@example.org")
    login(client, "dalia@example.org")
    client.post("/messages/new", data={**_form(people), "test": "x"})
    deliver()
    (test,) = mailbox.messages
    links = set(re.findall(r"http://localhost/(?:me|unsubscribe)/[^\s>]+", test.text()))
    links.add(str(test.message["List-Unsubscribe"]).strip("<>"))
    for link in links:
        path = link.removeprefix("http://localhost")
        assert client.get(path).status_code == 404
        assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code in (404, 405)
    from tests.conftest import membership_of
    assert membership_of(people["defensive"], "dalia@example.org").status == "active"


def test_a_test_from_the_message_page_leaves_a_scheduled_message_waiting(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    response = client.post("/messages/new", data={**_form(people, send_at="2099-06-01T10:00"), "send": "x"})
    client.post(response.location)  # confirm: scheduled
    url = response.location.removesuffix("/confirm")
    client.post(f"{url}/test")
    client.post(f"{url}/test")
    deliver()
    assert [m.rcpt_tos for m in mailbox.messages] == [["dalia@example.org"]] * 2
    page = client.get(url).get_data(as_text=True)
    assert page.count("<strong>Test</strong>") == 2 and "Scheduled for" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 2


def test_another_contact_cannot_send_a_test_of_someone_elses_message(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    response = client.post("/messages/new", data={**_form(people), "save": "x"})
    url = f"/messages/{message_id(response)}"
    client.post("/logout")
    login(client, "rachel@example.org")
    assert client.post(f"{url}/test").status_code == 403
    deliver()
    assert mailbox.messages == []
