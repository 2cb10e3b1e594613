"""The contact who sent a message cancels what is still queued, as staff can; other contacts cannot."""
import sqlalchemy as sa

from tests.conftest import login
from tests.mailing.sending import send_message
from webapp.extensions import db
from webapp.outbox.models import Delivery


def _send(client, people):
    return send_message(client, {"groups": [people["defensive"].id], "subject": "Hill visit",
                                 "body": "Hello"}).location


def _statuses():
    db.session.expire_all()
    return sorted(db.session.scalars(sa.select(Delivery.status)))


def test_the_sender_cancels_what_is_still_queued(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    url = _send(client, people)
    assert "Cancel what is still queued" in client.get(url).get_data(as_text=True)
    assert "Retry failed deliveries" not in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/cancel", follow_redirects=True)
    assert "3 queued deliveries cancelled." in response.get_data(as_text=True)
    assert _statuses() == ["cancelled"] * 3
    assert set(db.session.scalars(sa.select(Delivery.last_reply))) == {"cancelled by the sender"}
    deliver()
    assert mailbox.messages == []


def test_another_contact_of_the_group_cannot_cancel_it(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    url = _send(client, people)
    client.post("/logout")
    login(client, "rachel@example.org")
    assert "Cancel what is still queued" not in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/cancel").status_code == 403
    assert _statuses() == ["queued"] * 3
    deliver()
    assert len(mailbox.messages) == 3


def test_staff_still_cancel_any_message(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    url = _send(client, people)
    client.post("/logout")
    login(client, "staff@example.org")
    client.post(f"{url}/cancel")
    assert _statuses() == ["cancelled"] * 3
    assert set(db.session.scalars(sa.select(Delivery.last_reply))) == {"cancelled by staff"}
