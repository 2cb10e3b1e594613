"""What arrives at the server decodes to exactly what the recipient should read, whatever the text holds."""
import pytest

from tests.outbox.conftest import rows
from webapp.extensions import db
from webapp.outbox import services
from webapp.outbox.models import EmailKind
from webapp.outbox.smtp import personalize

AWKWARD = ("Réunion à 10h — «bienvenue» 👋\n"
           ".a line that starts with a dot\n"
           "a=b and =?utf-8?q?not_a_word?= and trailing spaces   \n"
           + "long " * 700 + "\n"
           "\n"
           "the last line has no newline")


def _as_read(content):
    return content.replace("\r\n", "\n")  # line ends as a mail client shows them


@pytest.mark.parametrize("html", ["<p>Réunion à <strong>10h</strong></p>\n" + "<p>long</p>" * 400, ""])
def test_each_copy_decodes_to_the_body_and_footer_the_recipient_should_read(server, deliver, html):
    email = services.enqueue(
        kind=EmailKind.ROSTER, subject="Réunion : mardi à 10h — «bienvenue» " * 3, text=AWKWARD, html=html,
        text_footer="\n-- \nHola $name, tus grupos: $groups\nStop: $unsubscribe_url\n",
        html_footer="<p>Hola $name ($groups) <a href=\"$unsubscribe_url\">stop</a></p>",
        list_id="Organización Juvenil <youth-organizing.example.org>",
        recipients=[("jose@example.org", "José O'Brien, Jr.", {"groups": "Defensa & <Juventud>"}),
                    ("ana@example.org", "", {"groups": "Ana's"})],
    )
    db.session.commit()
    deliver()
    assert {d.status for d in rows().values()} == {"sent"}
    for delivery in rows().values():
        (received,) = server.to(delivery.address)
        message = received.message
        expected_text, expected_html = personalize(email, delivery, services.unsubscribe_url(delivery.id))
        assert _as_read(received.text()) == expected_text
        if html:
            assert _as_read(received.html()) == expected_html
        else:
            assert message.get_content_type() == "text/plain"
        assert message["Subject"] == "Réunion : mardi à 10h — «bienvenue» " * 3
        assert message["To"].addresses[0].display_name == delivery.name
        assert message["To"].addresses[0].addr_spec == delivery.address
        assert message["List-Id"] == "Organización Juvenil <youth-organizing.example.org>"
        assert message["From"].addresses[0].addr_spec == "groups@example.org"
        assert message["Date"].datetime is not None
        assert not message.defects and all(not part.defects for part in message.walk())
        head, body = received.data.split(b"\r\n\r\n", 1)
        assert head.isascii() and body.isascii()  # 7-bit: no server needs to convert it
        assert max(len(line) for line in body.split(b"\r\n")) <= 78
        assert max(len(line) for line in head.split(b"\r\n")) <= 998


@pytest.mark.parametrize("html", ["<p>Réunion à <strong>10h</strong></p>", ""])
def test_attachments_are_encoded_once_per_email_and_every_copy_carries_them(server, deliver, html, monkeypatch,
                                                                             config_overrides):
    from webapp.outbox import mime

    built = []
    real_template = mime.Template

    def counted(**kwargs):
        built.append(kwargs["subject"])
        return real_template(**kwargs)

    monkeypatch.setattr(mime, "Template", counted)
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 300 + b"\n%%EOF\n"
    stored = [services.store_attachment("Orden del día.pdf", "application/pdf", pdf),
              services.store_attachment("notes.txt", 'text/plain; charset="utf-8"', "Réunion\n".encode())]
    email = services.enqueue(
        kind=EmailKind.ROSTER, subject="Hill visit", text=AWKWARD, html=html, text_footer="\nStop: $unsubscribe_url\n",
        html_footer='<a href="$unsubscribe_url">stop</a>', list_id="Defensive Support <ds.example.org>",
        recipients=[(f"member{i}@example.org", f"Member {i}", {}) for i in range(7)], attachments=stored,
        reply_to="Dalia Contact <dalia@example.org>",
    )
    db.session.commit()
    from flask import current_app
    current_app.config["OUTBOX_BATCH_SIZE"] = 2  # four batches: the shared part is kept between them
    deliver()
    assert built == ["Hill visit"]
    assert {d.status for d in rows().values()} == {"sent"}
    for delivery in rows().values():
        (received,) = server.to(delivery.address)
        message = received.message
        assert message.get_content_type() == "multipart/mixed"
        assert message["Reply-To"] == "Dalia Contact <dalia@example.org>"
        expected_text, expected_html = personalize(email, delivery, services.unsubscribe_url(delivery.id))
        assert _as_read(received.text()) == expected_text
        if html:
            assert _as_read(received.html()) == expected_html
        files = [(p.get_filename(), p.get_content_type(), p.get_content()) for p in message.iter_attachments()]
        assert files == [("Orden del día.pdf", "application/pdf", pdf), ("notes.txt", "text/plain", "Réunion\n")]
        assert not message.defects and all(not part.defects for part in message.walk())
        head, body = received.data.split(b"\r\n\r\n", 1)
        assert head.isascii() and body.isascii()
        assert max(len(line) for line in body.split(b"\r\n")) <= 78
