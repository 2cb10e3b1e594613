"""A local mail catcher for development: an SMTP server that files every message in a Maildir."""
import mailbox
from pathlib import Path

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, path):
        # Maildir(create=True) makes the subfolders only when the folder itself is
        # missing: an existing empty folder would refuse every message.
        for sub in ("tmp", "new", "cur"):
            Path(path, sub).mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(path, create=False)

    async def handle_DATA(self, server, session, envelope):
        message = mailbox.MaildirMessage(envelope.original_content or envelope.content)
        self.maildir.add(message)
        return "250 2.0.0 Message accepted for delivery"


def start(host, port, path):
    # SMTPUTF8 on, as on most servers now: internationalized addresses are caught too.
    controller = Controller(MaildirHandler(path), hostname=host, port=port, enable_SMTPUTF8=True)
    controller.start()
    return controller
