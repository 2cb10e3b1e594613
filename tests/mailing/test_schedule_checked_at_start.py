"""A scheduled message is checked again when its time comes: one its author may no longer send, or whose replies
would reach a closed account, goes back to draft with the reason on its page; one that fails holds back no other."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login
from webapp.accounts.services import set_active
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.groups.services import set_contacts
from webapp.mailing import compose, scheduling
from webapp.mailing.models import Message


def _schedule(client, people, subject="Hill visit", reply_to="dalia@example.org"):
    """Dalia writes, Sends and confirms a message for later; its page's address."""
    response = client.post("/messages/new", data={"groups": [people["defensive"].id], "subject": subject,
                                                  "body": "Please join us.", "send_at": "2099-01-15T09:30",
                                                  "reply_to": reply_to, "send": "x"})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post(response.location)
    return response.location.removesuffix("/confirm")


def _message(url):
    db.session.expire_all()
    return db.session.get(Message, int(url.rsplit("/", 1)[1]))


def _time_comes():
    db.session.execute(sa.update(Message).where(Message.status == "scheduled")
                       .values(scheduled_for=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_a_message_whose_author_is_no_longer_a_contact_goes_back_to_draft_with_the_reason(
        client, people, mailbox, deliver, app):
    login(client, "dalia@example.org")
    url = _schedule(client, people)
    set_contacts(people["defensive"], [people["rachel"]])  # Dalia no longer looks after the group
    db.session.commit()
    _time_comes()
    deliver()
    assert mailbox.messages == []
    assert _message(url).status == "draft"
    client.post("/logout")
    login(client, "staff@example.org")
    page = client.get(url).get_data(as_text=True)
    assert "Draft: not sent" in page
    assert ("This message was not sent at its time: its author can no longer write to these groups. "
            "Check it and confirm it again.") in page


def test_a_message_whose_reply_contact_was_deactivated_is_not_sent(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    url = _schedule(client, people, reply_to="rachel@example.org")
    set_active(people["rachel"], False)
    _time_comes()
    deliver()
    assert mailbox.messages == []
    assert _message(url).status == "draft"
    page = client.get(url).get_data(as_text=True)
    assert "the person replies would go to can no longer get them" in page
    # Confirmed again, it goes, and the notice is gone.
    client.post(f"{url}/edit", data={"groups": [people["defensive"].id], "subject": "Hill visit",
                                     "body": "Please join us.", "reply_to": "dalia@example.org", "send": "x"})
    client.post(f"{url}/confirm")
    deliver()
    assert len(mailbox.messages) == 3
    assert "not sent at its time" not in client.get(url).get_data(as_text=True)


def test_a_deactivated_author_s_message_is_not_sent(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    url = _schedule(client, people)
    client.post("/logout")
    set_active(people["dalia"], False)
    _time_comes()
    deliver()
    assert mailbox.messages == [] and _message(url).status == "draft"


def test_one_message_that_fails_to_start_holds_back_no_other(client, people, mailbox, deliver, monkeypatch):
    login(client, "dalia@example.org")
    broken = _schedule(client, people, subject="Broken")
    fine = _schedule(client, people, subject="Fine")
    _time_comes()
    real = compose.queue_deliveries

    def fails_for_broken(message, actor):
        if message.subject == "Broken":
            raise RuntimeError("something went wrong")
        return real(message, actor)

    monkeypatch.setattr(compose, "queue_deliveries", fails_for_broken)
    deliver()
    assert {m.subject for m in mailbox.messages} == {"Fine"} and len(mailbox.messages) == 3
    assert _message(fine).status == "started"
    assert _message(broken).status == "draft"
    page = client.get(broken).get_data(as_text=True)
    assert "This message was not sent at its time: it could not be started." in page
    assert scheduling.start_due_messages() == 0  # nothing is left waiting to fail again
