"""`flask catch-mail`, the development mail catcher: every message lands in its Maildir."""
import smtplib

import pytest

from tests.smtp_sink import free_port
from webapp.outbox import catcher


@pytest.mark.parametrize("folder", ["missing", "empty", "partial"])
def test_the_catcher_files_mail_whatever_state_its_folder_is_in(tmp_path, folder):
    maildir = tmp_path / "mail"
    if folder != "missing":
        maildir.mkdir()
    if folder == "partial":
        (maildir / "cur").mkdir()
    port = free_port()
    controller = catcher.start("127.0.0.1", port, str(maildir))
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            refused = smtp.sendmail("bounces@example.org", ["josé@example.org"],
                                    "Subject: Hello\r\nTo: <josé@example.org>\r\n\r\nHi\r\n".encode(),
                                    mail_options=["SMTPUTF8"])
    finally:
        controller.stop()
    assert refused == {}
    (filed,) = (maildir / "new").iterdir()
    assert b"Subject: Hello" in filed.read_bytes()
