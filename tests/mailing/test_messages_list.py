"""The list of messages: a page at a time, each with how its deliveries stand, in a fixed number of queries."""
import re

import pytest
import sqlalchemy as sa

from tests.conftest import login
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing.models import Message
from webapp.outbox.models import Delivery, DeliveryStatus
from tests.mailing.sending import send_message


@pytest.fixture
def group(client, make):
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    return make.group()


def write(client, group, subject):
    response = send_message(client, {"groups": [group.id], "subject": subject, "body": "Hello."})
    assert response.status_code == 302
    return db.session.get(Message, int(response.location.rsplit("/", 1)[1]))


def add(message, status, count, prefix):
    now = utcnow()
    db.session.execute(sa.insert(Delivery), [
        {"email_id": message.email_id, "address": f"{prefix}{i}@example.org", "name": f"P {i}", "variables": {},
         "status": status, "attempts": 1, "expired_leases": 0, "next_attempt_at": now, "created_at": now,
         "leased_by": "", "last_reply": "", "message_id": ""} for i in range(count)])
    db.session.commit()


def row_of(page, subject):
    """The cells of the message's row, as text."""
    row = re.search(r"<tr>\s*<td><a [^>]*>" + re.escape(subject) + r"</a></td>(.*?)</tr>", page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_each_message_shows_how_its_deliveries_stand(client, group):
    message = write(client, group, "Hill visit")
    add(message, DeliveryStatus.SENT, 5, "sent")
    add(message, DeliveryStatus.FAILED, 2, "failed")
    add(message, DeliveryStatus.DEAD, 1, "dead")
    add(message, DeliveryStatus.QUEUED, 3, "queued")
    add(message, DeliveryStatus.SUPPRESSED, 4, "blocked")
    page = client.get("/messages/").get_data(as_text=True)
    for header in ("Recipients", "Sent", "Waiting", "Failed", "Not sent"):
        assert f'<th scope="col">{header}</th>' in page
    cells = row_of(page, "Hill visit")
    # groups, author, time, then: recipients, sent, waiting, failed (failed or set aside), not sent
    assert cells[3:] == ["15", "5", "3", "3", "4"]


def test_messages_come_a_page_at_a_time_newest_first(client, group):
    for i in range(55):
        write(client, group, f"Update {i:02d}")
    first = client.get("/messages/").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Update 54" in first and "Update 05" in first and "Update 04" not in first
    second = client.get("/messages/?page=2").get_data(as_text=True)
    assert "Update 04" in second and "Update 00" in second and "Update 05" not in second
    assert "Update 00" in client.get("/messages/?page=1000000000000000000000").get_data(as_text=True)
    assert client.get("/messages/?page=last").status_code == 400


def test_the_list_costs_the_same_queries_with_more_messages_and_deliveries(client, group, make, count_queries):
    write(client, group, "First")
    few = count_queries(lambda: client.get("/messages/"))
    other = make.group(slug="youth-organizing", name="Youth Organizing")
    for i in range(60):
        message = write(client, group if i % 2 else other, f"Update {i}")
        add(message, DeliveryStatus.SENT, 3, f"m{i}-")
    assert count_queries(lambda: client.get("/messages/")) == few
    assert count_queries(lambda: client.get("/messages/?page=2")) == few
