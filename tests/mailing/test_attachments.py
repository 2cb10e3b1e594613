"""Attachments: common documents and images, 10 MB in all, checked by their bytes, stored once, in every email."""
import io
import zipfile

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.mailing.sending import message_id
from webapp.extensions import db
from webapp.mailing import attachments
from webapp.mailing.models import Message
from webapp.outbox.models import Attachment, email_attachment

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _zip(entries, first=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1])  # stored, first, as OpenDocument wants
        for name, content in entries.items():
            archive.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
ODT = _zip({"content.xml": "<office:document-content/>"},
           first=("mimetype", "application/vnd.oasis.opendocument.text"))


def _form(people, files, button="send", **extra):
    return {"groups": [people["defensive"].id], "subject": "Hill visit", "body": "The agenda is attached.",
            "attachments": [(io.BytesIO(data), name) for name, data in files], button: "x", **extra}


def _post(client, path, data):
    response = client.post(path, data=data, content_type="multipart/form-data")
    # Werkzeug's test client spools a large body to a temporary file and, unless following redirects, leaves it open.
    response.request.input_stream.close()
    return response


def _count(table):
    return db.session.scalar(sa.select(sa.func.count()).select_from(table))


def _attached(received):
    return [(part.get_filename(), part.get_content_type(), part.get_content())
            for part in received.message.iter_attachments()]


def test_attachments_are_named_stored_once_and_carried_by_every_email(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    preview = _post(client, "/messages/new", _form(people, [("agenda.pdf", PDF), ("map.png", PNG)], "preview"))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "<strong>Attachments:</strong> agenda.pdf, map.png" in page
    message = db.session.scalars(sa.select(Message)).one()
    edit = f"/messages/{message.id}/edit"
    assert f'action="{edit}"' in page  # the files stay with the draft: the next press changes it, not a new one

    confirm = _post(client, edit, {**_form(people, [], "send")})
    assert "agenda.pdf, map.png" in client.get(confirm.location).get_data(as_text=True)
    client.post(confirm.location)
    client.post(f"/messages/{message.id}/test")
    deliver()

    assert len(mailbox.messages) == 4  # three members and the sender's test
    for received in mailbox.messages:
        assert _attached(received) == [("agenda.pdf", "application/pdf", PDF), ("map.png", "image/png", PNG)]
        assert "The agenda is attached." in received.text() and "The agenda is attached." in received.html()
    # Stored once: two files, whatever the number of recipients and emails (the message and its test).
    assert _count(Attachment) == 2 and _count(email_attachment) == 4

    page = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert "agenda.pdf</a>" in page and "map.png</a>" in page
    (pdf_id,) = db.session.scalars(sa.select(Attachment.id).where(Attachment.filename == "agenda.pdf"))
    download = client.get(f"/messages/{message.id}/attachments/{pdf_id}")
    assert download.data == PDF and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]


def test_a_file_of_another_kind_or_in_disguise_is_refused_and_nothing_is_saved(client, people, mailbox, deliver):
    login(client, "dalia@example.org")
    refusals = {
        ("setup.exe", EXE): "“setup.exe” cannot be attached: only PDF, Word (.docx), Excel (.xlsx), OpenDocument text "
                            "(.odt), PNG, JPEG, text (.txt) and CSV files can.",
        ("agenda.pdf", EXE): "“agenda.pdf” is not really a .pdf file (its contents say otherwise), so it cannot be "
                             "attached.",
        ("notes.txt", b"hello\x00\x01world"): "“notes.txt” is not really a .txt file",
        ("letter.docx", XLSX): "“letter.docx” is not really a .docx file",
        ("empty.pdf", b""): "“empty.pdf” is empty.",
    }
    for (name, data), message in refusals.items():
        response = _post(client, "/messages/new", _form(people, [("agenda.pdf", PDF), (name, data)]))
        assert response.status_code == 400, name
        assert message in response.get_data(as_text=True), name
    assert _count(Message) == 0 and _count(Attachment) == 0
    deliver()
    assert mailbox.messages == []


def test_more_than_10_mb_in_all_is_refused_with_a_clear_message_never_a_500(client, people):
    login(client, "dalia@example.org")
    half = PDF + b"0" * (5 * 1024 * 1024)
    just_over = _post(client, "/messages/new", _form(people, [("a.pdf", half), ("b.pdf", half)]))
    assert just_over.status_code == 400
    assert "Attachments may add up to at most 10 MB." in just_over.get_data(as_text=True)
    far_over = _post(client, "/messages/new", _form(people, [("a.pdf", half), ("b.pdf", half), ("c.pdf", half)]))
    assert far_over.status_code == 413
    assert "Attachments may add up to at most 10 MB." in far_over.get_data(as_text=True)
    assert _count(Message) == 0 and _count(Attachment) == 0


def test_the_limit_counts_what_a_draft_already_has(client, people):
    login(client, "dalia@example.org")
    six = PDF + b"0" * (6 * 1024 * 1024)
    saved = _post(client, "/messages/new", _form(people, [("a.pdf", six)], "save"))
    edit = f"/messages/{message_id(saved)}/edit"
    more = _post(client, edit, _form(people, [("b.pdf", six)], "save"))
    assert more.status_code == 400 and "Attachments may add up to at most 10 MB." in more.get_data(as_text=True)
    (first,) = db.session.scalars(sa.select(Attachment.id))
    # Removing the first makes room for the second.
    swapped = _post(client, edit, _form(people, [("b.pdf", six)], "save", remove_attachments=[first]))
    assert swapped.status_code == 302
    assert list(db.session.scalars(sa.select(Attachment.filename))) == ["b.pdf"]


@pytest.mark.parametrize("name, data, content_type", [
    ("report.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("budget.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("minutes.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ("photo.JPG", JPEG, "image/jpeg"),
    ("list.csv", "name;correo\nAna;ana@example.org\n".encode("utf-8"), 'text/csv; charset="utf-8"'),
    ("notas.txt", "Reunión el martes\r\n".encode("cp1252"), 'text/plain; charset="windows-1252"'),
    ("../../etc/agenda.pdf", PDF, "application/pdf"),
])
def test_each_common_kind_is_recognised_by_its_bytes(app, name, data, content_type):
    checked = attachments.check(name, data)
    assert checked.content_type == content_type and checked.filename == name.rsplit("/", 1)[-1]
