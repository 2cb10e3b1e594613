"""The composing options in a real browser, in English and in Spanish: a reply address, an attachment refused
and one taken, a test to oneself, Send later with the second look, and the worker sending it on time."""
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing import scheduling

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 60

# What the page says, in each language (the Spanish is the catalogue's).
WORDS = {
    "en": {
        "group": "Defensive Support", "subject": "Subject", "body": re.compile(r"^Message"),
        "reply_to": "Replies go to", "send_at": "Send later (optional)", "attach": "Attach files (optional)",
        "preview": "Preview", "test": "Send a test to myself", "send": "Send to the roster",
        "refused": "“setup.exe” cannot be attached: only PDF",
        "attached": "Attachments: agenda.pdf", "test_sent": "A test is on its way to dalia@example.org.",
        "test_mark": "Test: sent to dalia@example.org", "check": "Check before sending",
        "to_members": "To the members of", "reach": "It will go to 1 member.", "schedule": "Yes, schedule it",
        "scheduled": "Scheduled. It can be changed or cancelled until it starts.", "sent": "Sent on",
        "footer": "You receive this email as a member of Defensive Support",
    },
    "es": {
        "group": "Apoyo Defensivo", "subject": "Asunto", "body": re.compile(r"^Mensaje"),
        "reply_to": "Las respuestas van a", "send_at": "Enviar más tarde (opcional)",
        "attach": "Adjuntar archivos (opcional)", "preview": "Vista previa", "test": "Enviarme una prueba",
        "send": "Enviar a la lista de integrantes", "refused": "No se puede adjuntar «setup.exe»",
        "attached": "Archivos adjuntos: agenda.pdf", "test_sent": "Una prueba va en camino a dalia@example.org.",
        "test_mark": "Prueba: ", "check": "Revisa antes de enviar", "to_members": "Para integrantes de",
        "reach": "Se enviará a 1 integrante.", "schedule": "Sí, prográmalo",
        "scheduled": "Programado. Se puede cambiar o cancelar hasta que empiece a enviarse.",
        "sent": "Enviado el", "footer": "Recibes este correo como integrante de Apoyo Defensivo",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_reply_to_attachments_a_test_and_send_later_through_the_second_look(new_page, make, mailbox, deliver,
                                                                           app, monkeypatch, language):
    words = WORDS[language]
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    rachel = make.user(name="Rachel Contact", email="rachel@example.org")
    group = make.group(contacts=[dalia, rachel])
    group.name_es = "Apoyo Defensivo"
    dalia.language = language
    db.session.commit()
    make.member(group, name="Ana Member", email="ana@example.org")
    page = new_page(locale="en-US")  # the browser asks for English; Dalia's own language rules
    log_in(page, "dalia@example.org")

    # Write it: the group by its name in her language, replies to Rachel, and an .exe, which is refused.
    page.goto("/messages/new")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.get_by_label(words["group"], exact=True).check()
    page.get_by_label(words["subject"], exact=True).fill("Hill visit")
    page.get_by_label(words["body"]).fill("The agenda is **attached**.")
    page.get_by_label(words["reply_to"]).select_option("rachel@example.org")
    page.get_by_label(words["attach"]).set_input_files(
        files=[{"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": EXE}])
    page.get_by_role("button", name=words["preview"]).click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("main")).to_contain_text(words["refused"])
    expect(page.get_by_label(words["reply_to"])).to_have_value("rachel@example.org")  # her choice is kept

    # An attachment that may go is named in the preview.
    page.get_by_label(words["attach"]).set_input_files(
        files=[{"name": "agenda.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name=words["preview"]).click()
    expect(page.locator(".preview")).to_contain_text(words["attached"])

    # A test to herself: the message page marks it, and it reaches her alone, as a member would get it.
    page.get_by_role("button", name=words["test"]).click()
    expect(page.locator("main")).to_contain_text(words["test_sent"])
    message_url = page.url
    deliver()
    (test,) = mailbox.messages
    assert test.rcpt_tos == ["dalia@example.org"]
    assert b"\r\nReply-To: Rachel Contact <rachel@example.org>\r\n" in test.data
    assert [part.get_filename() for part in test.message.iter_attachments()] == ["agenda.pdf"]
    assert words["footer"] in test.text()
    assert "/me/preview-sample-link" in test.text()  # its personal links are inert: nobody leaves by testing
    page.goto(message_url)
    expect(page.locator("main li").filter(has_text=words["test_mark"])).to_be_visible()
    mailbox.clear()

    # Send later: a time two days on, in the coalition's zone, through the second look.
    when = (utcnow() + timedelta(days=2)).astimezone(ZoneInfo(app.config["TIME_ZONE"]))
    page.goto(message_url + "/edit")
    page.get_by_label(words["send_at"]).fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["check"])
    second_look = page.locator("main dl")
    expect(second_look).to_contain_text("Hill visit")
    expect(second_look).to_contain_text(f"{words['to_members']}{words['group']}")
    expect(second_look).to_contain_text(words["reach"])
    expect(second_look).to_contain_text("Rachel Contact <rachel@example.org>")
    expect(second_look).to_contain_text("agenda.pdf")
    page.get_by_role("button", name=words["schedule"]).click()
    expect(page.locator("main")).to_contain_text(words["scheduled"])

    # Not yet due: the worker sends nothing. Two days on, it starts the message and the member gets it.
    deliver()
    assert mailbox.messages == []
    later = utcnow() + timedelta(days=2, minutes=1)
    monkeypatch.setattr(scheduling, "utcnow", lambda: later)
    deliver()
    (sent,) = mailbox.messages
    assert sent.rcpt_tos == ["ana@example.org"]
    assert b"\r\nReply-To: Rachel Contact <rachel@example.org>\r\n" in sent.data
    assert [part.get_filename() for part in sent.message.iter_attachments()] == ["agenda.pdf"]
    page.goto(message_url)
    expect(page.locator("main")).to_contain_text(words["sent"])
