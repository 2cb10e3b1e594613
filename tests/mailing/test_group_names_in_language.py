"""Contacts and staff read the groups' names in their own language on the mailing pages and in a test email."""
import io
import re

from tests.conftest import login
from tests.mailing.sending import message_id
from webapp.extensions import db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"x" * 1500


def _page(client, app, url):
    with app.app_context():  # its own context, as a real request has: the locale is not carried over
        return client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)


def _post(client, app, url, **kwargs):
    with app.app_context():
        return client.post(url, headers={"Accept-Language": "en"}, **kwargs)


def _spanish(people):
    people["defensive"].name_es = "Apoyo Defensivo"
    people["dalia"].language = "es"
    db.session.commit()


def _draft(client, people, **extra):
    response = client.post("/messages/new", data={"groups": [people["defensive"].id], "subject": "Visita",
                                                  "body": "Hola.", "reply_to": "dalia@example.org", "save": "x",
                                                  **extra}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return message_id(response)


def test_the_mailing_pages_name_the_group_in_the_readers_language(client, people, app):
    _spanish(people)
    login(client, "dalia@example.org")
    compose = _page(client, app, "/messages/new")
    assert re.search(r"<label[^>]*>\s*Apoyo Defensivo\s*</label>", compose)
    with app.app_context():
        number = _draft(client, people)
    confirm = _page(client, app, f"/messages/{number}/confirm")
    assert "<dt>Para integrantes de</dt><dd>Apoyo Defensivo</dd>" in confirm
    assert "Para integrantes de Apoyo Defensivo" in _page(client, app, f"/messages/{number}")
    assert "<td>Apoyo Defensivo</td>" in _page(client, app, "/messages/")
    # A reader in English reads the English name.
    _post(client, app, "/logout")
    login(client, "rachel@example.org")
    assert "To the members of Defensive Support" in _page(client, app, f"/messages/{number}")
    assert "<td>Defensive Support</td>" in _page(client, app, "/messages/")


def test_a_test_email_names_the_groups_in_the_senders_language(client, people, mailbox, deliver, app):
    _spanish(people)
    login(client, "dalia@example.org")
    with app.app_context():
        number = _draft(client, people)
    _post(client, app, f"/messages/{number}/test")
    deliver()
    (test,) = mailbox.to("dalia@example.org")
    assert "Recibes este correo como integrante de Apoyo Defensivo" in test.text()
    # Staff who chose no language get theirs in the language of the page they pressed the button on.
    _post(client, app, "/logout")
    login(client, "staff@example.org")
    mailbox.clear()
    _post(client, app, f"/messages/{number}/test")
    deliver()
    (test,) = mailbox.to("staff@example.org")
    assert "You receive this email as a member of Defensive Support" in test.text()


def test_an_attachments_size_is_written_as_the_reader_writes_numbers(client, people, app):
    login(client, "dalia@example.org")
    with app.app_context():
        number = _draft(client, people, attachments=[(io.BytesIO(PDF), "agenda.pdf")])
    assert "agenda.pdf</a> (1.5 KB)" in _page(client, app, f"/messages/{number}")
    assert "agenda.pdf</a> (1,5 KB)" in _page(client, app, f"/messages/{number}?lang=es")
