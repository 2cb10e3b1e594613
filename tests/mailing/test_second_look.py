"""Send shows a confirmation page (subject, groups, how many members); only its POST queues mail."""
import re

import sqlalchemy as sa

from tests.conftest import login
from tests.mailing.sending import message_id, send_message
from webapp.extensions import db
from webapp.outbox.models import Delivery


def _form(people):
    return {"groups": [people["defensive"].id, people["youth"].id], "subject": "Hill visit on Tuesday",
            "body": "Please **join** us."}


def _deliveries():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Delivery))


def test_send_shows_a_second_look_and_queues_nothing(client, make, people, mailbox, deliver):
    make.member(people["youth"], email="yara@example.org")
    login(client, "staff@example.org")
    response = send_message(client, _form(people), confirm=False)
    assert response.status_code == 302 and response.location.endswith("/confirm")
    page = client.get(response.location).get_data(as_text=True)
    assert "Check before sending" in page
    assert "Hill visit on Tuesday" in page and "Defensive Support, Youth Organizing" in page
    assert "It will go to 4 members." in page
    assert "Yes, send it to 4 members now" in page
    assert re.search(r'<form method="post">\s*<input id="csrf_token"|<form method="post">', page)
    deliver()
    assert _deliveries() == 0 and mailbox.messages == []
    assert "Draft" in client.get("/messages/").get_data(as_text=True)

    sent = client.post(response.location)
    assert sent.location.endswith(f"/messages/{message_id(sent)}")
    assert "Your message is queued for 4 members." in client.get(sent.location).get_data(as_text=True)
    deliver()
    assert sorted(a for m in mailbox.messages for a in m.rcpt_tos) == sorted(people["members"] + ["yara@example.org"])


def test_confirming_twice_queues_once(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    confirm_url = send_message(client, _form(people) | {"groups": [people["defensive"].id]}, confirm=False).location
    client.post(confirm_url)
    again = client.post(confirm_url, follow_redirects=True).get_data(as_text=True)
    assert "it can no longer be changed" in again
    deliver()
    assert len(mailbox.messages) == 3 and _deliveries() == 3


def test_only_the_author_or_staff_may_confirm(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    confirm_url = send_message(client, _form(people) | {"groups": [people["defensive"].id]}, confirm=False).location
    client.post("/logout")
    login(client, "rachel@example.org")  # a contact of the same group, but not the author
    assert client.post(confirm_url).status_code == 403
    client.post("/logout")
    login(client, "alejandra@example.org")
    assert client.get(confirm_url).status_code == 403
    deliver()
    assert mailbox.messages == []
