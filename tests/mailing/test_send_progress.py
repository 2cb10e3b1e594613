"""The message page follows a send: a progress bar, the time left, reloading itself until the send is finished."""
import re
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import login
from tests.mailing.sending import send_message
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing.models import Message
from webapp.outbox.models import Delivery, DeliveryStatus



def send_to(client, make, members=3):
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group()
    for _ in range(members):
        make.member(group)
    login(client, "staff@example.org")
    response = send_message(client, {"groups": [group.id], "subject": "Hill visit", "body": "Hi"})
    return response.location


def test_while_the_send_runs_the_page_shows_a_bar_and_reloads_itself_then_says_it_is_finished(client, make, deliver):
    url = send_to(client, make)
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.headers["Refresh"] == "3"
    assert f'<a href="{url}?follow=0">Stop updating</a>' in page
    stopped = client.get(url + "?follow=0")
    assert "Refresh" not in stopped.headers and "Update this page every few seconds" in stopped.get_data(as_text=True)
    assert re.search(r'<progress id="send-progress" max="3" value="0">', page)
    assert "Sending: 0 of 3 done" in page and "3 queued" in page and "Estimating the time left" in page
    assert "Finished:" not in page

    deliver()
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert "Refresh" not in response.headers and "Stop updating" not in page
    assert re.search(r'<progress id="send-progress" max="3" value="3">', page)
    assert re.search(r"<strong>Finished:</strong> 3 sent, 0 failed, 0 not sent, of 3\.", page)


def test_the_time_left_follows_the_pace_so_far(client, make):
    url = send_to(client, make, members=30)
    message = db.session.get(Message, int(url.rsplit("/", 1)[1]))
    # Ten sent over the last ten seconds, one a second: twenty left take about twenty seconds.
    ids = db.session.scalars(sa.select(Delivery.id).where(Delivery.email_id == message.email_id)
                             .order_by(Delivery.id).limit(10)).all()
    start = utcnow() - timedelta(seconds=10)
    for i, delivery_id in enumerate(ids):
        db.session.execute(sa.update(Delivery).where(Delivery.id == delivery_id)
                           .values(status=DeliveryStatus.SENT, sent_at=start + timedelta(seconds=i + 1)))
    db.session.execute(sa.update(Delivery).where(Delivery.id == ids[-1]).values(status=DeliveryStatus.FAILED,
                                                                                 sent_at=None))
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "9 sent" in page and "1 failed" in page and "20 queued" in page
    seconds = int(re.search(r"About (\d+) seconds left\.", page).group(1))
    assert 18 <= seconds <= 26, seconds


def test_the_progress_as_json_for_a_page_that_polls(client, make, deliver):
    url = send_to(client, make, members=2)
    assert client.get(url + "/progress.json").get_json() == {
        "total": 2, "sent": 0, "failed": 0, "not_sent": 0, "queued": 2, "done": 0, "running": True,
        "seconds_left": None}
    deliver()
    assert client.get(url + "/progress.json").get_json()["running"] is False
    client.post("/logout")
    assert client.get(url + "/progress.json").status_code == 302
