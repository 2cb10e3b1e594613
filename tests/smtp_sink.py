"""A real SMTP server for tests (aiosmtpd), keeping every message it accepts."""
import email
import email.policy
import socket
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    data: bytes

    @property
    def message(self):
        return email.message_from_bytes(self.data, policy=email.policy.default)

    @property
    def to(self):
        return str(self.message["To"])

    @property
    def subject(self):
        return str(self.message["Subject"])

    def text(self):
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content()

    def html(self):
        body = self.message.get_body(preferencelist=("html",))
        return body.get_content() if body is not None else None


class SinkHandler:
    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 OK queued"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPSink:
    def __init__(self, handler=None, **controller_options):
        self.handler = handler or SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **controller_options)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.received)

    def clear(self):
        with self.handler.lock:
            self.handler.received.clear()

    def to(self, address):
        """Messages whose envelope recipients include this address."""
        return [m for m in self.messages if address in m.rcpt_tos]
