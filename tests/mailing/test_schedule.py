"""Send later: a time in the coalition's zone, kept in UTC; scheduled until a worker starts it, once."""
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from tests.conftest import login
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing import scheduling
from webapp.mailing.models import Message
from webapp.outbox.models import Delivery, Email


@pytest.fixture
def config_overrides():
    return {"TIME_ZONE": "America/New_York", "BABEL_DEFAULT_TIMEZONE": "America/New_York"}


def _form(people, send_at, **extra):
    return {"groups": [people["defensive"].id], "subject": "Hill visit", "body": "Please join us.",
            "send_at": send_at, **extra}


def _schedule(client, people, send_at="2099-01-15T09:30", **extra):
    """Write, Send, confirm a message for later; its page's address."""
    response = client.post("/messages/new", data={**_form(people, send_at, **extra), "send": "x"})
    assert response.status_code == 302, response.get_data(as_text=True)
    confirm = client.get(response.location).get_data(as_text=True)
    assert "Yes, schedule it" in confirm
    client.post(response.location)
    return response.location.removesuffix("/confirm")


def _message(url):
    db.session.expire_all()
    return db.session.get(Message, int(url.rsplit("/", 1)[1]))


def _time_comes(url):
    """As if the scheduled time had just passed."""
    db.session.execute(sa.update(Message).where(Message.id == _message(url).id)
                       .values(scheduled_for=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_the_time_is_read_in_the_coalitions_zone_and_kept_in_utc(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    url = _schedule(client, people, "2099-01-15T09:30")
    message = _message(url)
    assert message.status == "scheduled"
    assert message.scheduled_for == datetime(2099, 1, 15, 14, 30, tzinfo=timezone.utc)  # EST is UTC-5
    page = client.get(url).get_data(as_text=True)
    assert "Scheduled for 1/15/99, 9:30" in page
    deliver()
    assert mailbox.messages == [] and message.email_id is None


def test_a_scheduled_message_goes_out_once_when_its_time_comes(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    url = _schedule(client, people)
    deliver()
    assert mailbox.messages == []
    _time_comes(url)
    deliver()
    deliver()
    assert sorted(a for m in mailbox.messages for a in m.rcpt_tos) == sorted(people["members"])
    message = _message(url)
    assert message.status == "started" and message.sent_at is not None
    assert "Sent on" in client.get(url).get_data(as_text=True)


def test_a_time_that_has_passed_is_refused_with_a_clear_message(client, people):
    login(client, "dalia@example.org")
    response = client.post("/messages/new", data={**_form(people, "2020-03-01T10:00"), "send": "x"})
    assert response.status_code == 400
    assert "That time has passed. Choose a time to come, or leave it empty to send as soon as you confirm." in \
        response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
    nonsense = client.post("/messages/new", data={**_form(people, "next tuesday"), "send": "x"})
    assert nonsense.status_code == 400
    assert "Please give a date and a time, such as 2026-12-01 09:30." in nonsense.get_data(as_text=True)


def test_a_time_that_passes_before_confirming_is_refused_too(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    response = client.post("/messages/new", data={**_form(people, "2099-01-15T09:30"), "send": "x"})
    _time_comes(response.location.removesuffix("/confirm"))
    page = client.post(response.location, follow_redirects=True).get_data(as_text=True)
    assert "The time set for this message has passed." in page
    deliver()
    assert mailbox.messages == []


def test_a_scheduled_message_can_be_edited_until_it_starts(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    url = _schedule(client, people)
    edit = client.get(f"{url}/edit").get_data(as_text=True)
    assert 'value="2099-01-15T09:30"' in edit and "This message is scheduled for" in edit
    response = client.post(f"{url}/edit", data={**_form(people, "2099-01-16T08:00", subject="Hill visit, moved"),
                                                "save": "x"})
    assert response.status_code == 302
    message = _message(url)
    assert message.status == "scheduled" and message.subject == "Hill visit, moved"
    assert message.scheduled_for == datetime(2099, 1, 16, 13, 0, tzinfo=timezone.utc)
    _time_comes(url)
    deliver()
    assert {m.subject for m in mailbox.messages} == {"Hill visit, moved"}
    # Once started, it can no longer be changed.
    page = client.post(f"{url}/edit", data={**_form(people, ""), "save": "x"}, follow_redirects=True)
    assert "it can no longer be changed" in page.get_data(as_text=True)
    assert _message(url).subject == "Hill visit, moved"


def test_a_scheduled_message_can_be_cancelled_until_it_starts(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    url = _schedule(client, people)
    page = client.post(f"{url}/cancel-message", follow_redirects=True).get_data(as_text=True)
    assert "The message is cancelled. Nothing of it was sent." in page and "Cancelled before it was sent" in page
    _time_comes(url)
    deliver()
    assert mailbox.messages == [] and _message(url).status == "cancelled"
    again = client.post(f"{url}/cancel-message", follow_redirects=True).get_data(as_text=True)
    assert "it can no longer be changed" in again


def test_two_workers_claiming_at_once_start_it_once(app, client, people, mailbox, deliver):
    """Two claims at the same moment: the first holds the row while it queues, the second then finds it started."""
    login(client, "dalia@example.org")
    url = _schedule(client, people)
    _time_comes(url)
    db.session.remove()
    claimed, results = threading.Event(), {}
    real_queue = scheduling.claim

    def slow_claim(claimed_id, now):
        won = real_queue(claimed_id, now)
        if won:
            claimed.set()
            time.sleep(0.5)  # the winner keeps its transaction open while the other tries
        return won

    def worker(name, wait):
        with app.app_context():
            if wait:
                claimed.wait(5)
            results[name] = scheduling.start_due_messages()
            db.session.remove()

    scheduling.claim = slow_claim
    try:
        threads = [threading.Thread(target=worker, args=("a", False)), threading.Thread(target=worker, args=("b", True))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        scheduling.claim = real_queue
    assert sorted(results.values()) == [0, 1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Email)) == 1
    deliver()
    assert sorted(a for m in mailbox.messages for a in m.rcpt_tos) == sorted(people["members"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 3
