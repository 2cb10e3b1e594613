"""An SMTP server (aiosmtpd) that misbehaves the way a test tells it to.

A test sets faults: a reply code on MAIL, RCPT or DATA, a dropped connection, a
slow answer; optionally only for one recipient, only after some commands have
passed, only a number of times. It keeps every message it accepted, and counts
every transaction it saw, so a test can check that nothing was lost or doubled.
"""
import asyncio
import socket
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

from aiosmtpd.controller import Controller

from tests.smtp_sink import Received, free_port

DROP = "drop"  # close the connection instead of answering


@dataclass
class Fault:
    command: str  # "MAIL", "RCPT" or "DATA"
    reply: str  # an SMTP reply line, or DROP
    address: str | None = None  # only for this recipient (RCPT and DATA)
    skip: int = 0  # let this many matching commands pass first
    times: int | None = None  # then misbehave this many times (None: always)
    delay: float = 0.0  # wait this long before answering (or accepting)
    # Then answer every later command on the connection the same way without closing
    # it, as a server shutting down that breaks RFC 5321 by keeping the line open.
    closing: bool = False
    keeps: bool = False  # DATA only: keep the message first, then misbehave (a reply that comes too late)
    seen: int = 0

    def applies(self, command, address):
        if command != self.command or (self.address and address != self.address):
            return False
        self.seen += 1
        if self.seen <= self.skip:
            return False
        return self.times is None or self.seen - self.skip <= self.times


class FaultHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.faults = []
            self.received = []
            self.commands = Counter()  # ("RCPT", address) -> how many times it was given
            # One per SMTP connection that sent MAIL: the session objects themselves, kept alive, since a
            # freed session's id() may be given to the next connection's and count two as one.
            self.sessions = []
            self.on_message = None  # called with each accepted Received, in the server's thread
            self.after_closing = Counter()  # commands received on a connection after its closing reply

    async def _misbehave(self, server, command, address, keep=None):
        """None to carry on, or the reply to give; `keep` keeps the message, for a fault that keeps it."""
        closing = getattr(server.session, "closing_reply", None)
        with self.lock:
            self.commands[(command, address)] += 1
            if closing:
                self.after_closing[command] += 1
                return closing
            fault = next((f for f in self.faults if f.applies(command, address)), None)
        if fault is None:
            return None
        if fault.closing:
            server.session.closing_reply = fault.reply
        if fault.keeps and keep is not None:
            keep()
        if fault.delay:
            # If the client gives up and hangs up meanwhile, aiosmtpd cancels this
            # coroutine: the command never completes, as on a real server.
            await asyncio.sleep(fault.delay)
        if fault.reply == DROP:
            server.transport.close()
            await asyncio.sleep(3600)  # cancelled when the connection is lost
        return fault.reply or None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            if not any(seen is session for seen in self.sessions):
                self.sessions.append(session)
        reply = await self._misbehave(server, "MAIL", None)
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = await self._misbehave(server, "RCPT", address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_RSET(self, server, session, envelope):
        return await self._misbehave(server, "RSET", None) or "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        kept = []

        def keep():
            kept.append(True)
            self._keep(received)

        reply = await self._misbehave(server, "DATA", envelope.rcpt_tos[0], keep=keep)
        if reply:
            return reply
        if not kept:
            self._keep(received)
        return "250 2.0.0 OK queued"

    def _keep(self, received):
        with self.lock:
            self.received.append(received)
            callback = self.on_message
        if callback:
            callback(received)


class FaultSMTP:
    def __init__(self):
        self.handler = FaultHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def fail(self, command, reply, **options):
        """Reply `reply` (or DROP) to `command`; see Fault for the options."""
        with self.handler.lock:
            self.handler.faults.append(Fault(command, reply, **options))

    def offer_smtputf8(self, offered):
        """Whether new connections offer SMTPUTF8 (RFC 6531), as most servers now do (the default)."""
        self.controller.SMTP_kwargs["enable_SMTPUTF8"] = offered

    def slow(self, command, seconds, **options):
        """Answer `command` only after `seconds`."""
        self.fail(command, "", delay=seconds, **options)

    def late(self, seconds, **options):
        """Keep the message, then answer DATA only after `seconds`: the client may have given up."""
        self.fail("DATA", "", delay=seconds, keeps=True, **options)

    def reset(self):
        self.handler.reset()
        self.offer_smtputf8(True)

    def heal(self):
        """Stop misbehaving; keep what was received."""
        with self.handler.lock:
            self.handler.faults = []

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address):
        return [m for m in self.messages if address in m.rcpt_tos]

    def copies(self):
        """How many copies each recipient got."""
        return Counter(address for m in self.messages for address in m.rcpt_tos)

    def tries(self, command, address=None):
        with self.handler.lock:
            return self.handler.commands[(command, address)]

    def commands_after_closing(self):
        with self.handler.lock:
            return sum(self.handler.after_closing.values())

    @property
    def connections(self):
        with self.handler.lock:
            return len(self.handler.sessions)


@contextmanager
def silent_port():
    """A port that accepts connections and then never says a word: a hung server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def closed_port():
    """A port nobody listens on: the connection is refused."""
    return free_port()
