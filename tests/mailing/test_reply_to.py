"""Replies to roster mail reach a person: the sender by default, or another contact of the group; never the app."""
import sqlalchemy as sa

from tests.conftest import login
from tests.mailing.sending import send_message
from webapp.extensions import db
from webapp.mailing.models import Message


def _form(people, **extra):
    return {"groups": [people["defensive"].id], "subject": "Hill visit", "body": "Please **join** us.", **extra}


def test_replies_go_to_the_sender_by_default_never_to_the_app(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    page = client.get("/messages/new").get_data(as_text=True)
    assert '<label for="reply_to">Replies go to</label>' in page
    assert "Dalia Contact &lt;dalia@example.org&gt;" in page and "Rachel Contact &lt;rachel@example.org&gt;" in page
    assert "alejandra@example.org" not in page  # a contact of a group Dalia does not write to
    send_message(client, _form(people))
    deliver()
    assert len(mailbox.messages) == 3
    for received in mailbox.messages:
        assert received.message["Reply-To"] == "Dalia Contact <dalia@example.org>"
        assert b"\r\nReply-To: Dalia Contact <dalia@example.org>\r\n" in received.data
        assert "groups@example.org" not in str(received.message["Reply-To"])
        assert received.message["From"] == "Coalition Groups <groups@example.org>"


def test_the_sender_may_send_replies_to_another_contact_of_the_group(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    send_message(client, _form(people, reply_to="rachel@example.org"))
    deliver()
    assert {str(m.message["Reply-To"]) for m in mailbox.messages} == {"Rachel Contact <rachel@example.org>"}


def test_a_reply_address_outside_the_choices_is_refused_and_nothing_is_saved(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    for address in ("alejandra@example.org", "groups@example.org", "someone@example.com"):
        response = client.post("/messages/new", data={**_form(people, reply_to=address), "send": "x"})
        assert response.status_code == 400
        assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0


def test_staff_may_name_only_a_contact_of_the_groups_they_write_to(client, people, mailbox, deliver):
    login(client, "staff@example.org")
    # Alejandra is a choice for staff (she looks after Youth Organizing), but not for a message to Defensive Support.
    response = client.post("/messages/new", data={**_form(people, reply_to="alejandra@example.org"), "send": "x"})
    assert response.status_code == 400
    assert "Replies can go to you or to a contact of the groups you write to." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 0
    send_message(client, {**_form(people, reply_to="alejandra@example.org"),
                          "groups": [people["defensive"].id, people["youth"].id]})
    deliver()
    assert {str(m.message["Reply-To"]) for m in mailbox.messages} == {"Alejandra Contact <alejandra@example.org>"}
