"""A local mail catcher for development: an SMTP server that files every message in a Maildir."""
import mailbox
from pathlib import Path

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(path, create=True)

    async def handle_DATA(self, server, session, envelope):
        message = mailbox.MaildirMessage(envelope.original_content or envelope.content)
        self.maildir.add(message)
        return "250 2.0.0 Message accepted for delivery"


def start(host, port, path):
    controller = Controller(MaildirHandler(path), hostname=host, port=port)
    controller.start()
    return controller
