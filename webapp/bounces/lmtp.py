"""`flask receive-bounces`: an LMTP server (aiosmtpd) to which the site's MTA hands mail for the bounce address."""
import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP

from webapp.bounces import services, verp

log = logging.getLogger(__name__)


class BounceHandler:
    def __init__(self, app):
        self.app = app

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.app.app_context():
            ours = verp.is_bounce_address(address)
        if not ours:
            return "550 5.1.1 Not a bounce address here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        try:
            # The database work runs off the event loop, in the app's context.
            await loop.run_in_executor(None, self._receive, envelope.original_content, list(envelope.rcpt_tos))
            reply = "250 2.0.0 Bounce received"
        except Exception:  # noqa: BLE001 - the MTA keeps the message and tries again: nothing is lost
            log.exception("bounce could not be stored")
            reply = "451 4.3.0 Could not store the message; try again later"
        # LMTP answers DATA once per recipient (RFC 2033).
        return "\r\n".join([reply] * len(envelope.rcpt_tos))

    def _receive(self, raw, recipients):
        with self.app.app_context():
            services.receive(raw, recipients)


class LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def start(app, host, port):
    controller = LMTPController(BounceHandler(app), hostname=host, port=port)
    controller.start()
    return controller
