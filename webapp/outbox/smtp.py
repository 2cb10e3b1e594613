"""Talking to the SMTP server: build each recipient's email, send it, classify the reply.

With mime.py, the only code that sends mail; it reads Flask-Mail's MAIL_* settings.
"""
import smtplib
import socket
from dataclasses import dataclass
from string import Template

from flask import current_app
from markupsafe import escape

from webapp.outbox import mime
from webapp.outbox.models import EmailKind

CONNECTION_ERRORS = (OSError, smtplib.SMTPException, socket.timeout)


@dataclass
class Outcome:
    # "sent", "temporary", "permanent", or "not_sent": the connection failed before
    # the message itself went out, so the server cannot have taken it and the
    # recipient is not to blame.
    kind: str
    reply: str

    @property
    def mailbox_unknown(self):
        return self.kind == "permanent" and "5.1.1" in self.reply


def classify(code, reply):
    """2xx sent; 4xx and 552 temporary (RFC 5321 section 4.5.3.1.10); other 5xx permanent."""
    text = f"{code} {reply}".strip()
    if 200 <= code < 300:
        return Outcome("sent", text)
    if 400 <= code < 500 or code == 552:
        return Outcome("temporary", text)
    return Outcome("permanent", text)


def check_address(address):
    """Raise ValueError for what no mail server should be handed as a recipient."""
    if len(address) > 254 or "@" not in address or any(ord(c) < 32 or c in "<>\x7f" for c in address):
        raise ValueError(f"{address[:80]!r} is not a valid email address")


def smtp_form(address):
    """(the address as SMTP carries it, whether that needs SMTPUTF8).

    An internationalized domain has an ASCII form (IDNA) every server takes; a
    local part that is not ASCII can only go to a server offering SMTPUTF8.
    """
    if address.isascii():
        return address, False
    local, at, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    address = f"{local}{at}{domain}"
    return address, not address.isascii()


def _decode(reply):
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _footer_values(delivery, unsubscribe_url):
    values = {"name": delivery.name, "address": delivery.address, "unsubscribe_url": unsubscribe_url}
    values.update(delivery.variables or {})
    return values


def _escaped(values):
    return {key: str(escape(value)) for key, value in values.items()}


def footers_for(email, delivery):
    """(text footer, HTML footer) in the recipient's language (their variables' "language"), else the default."""
    theirs = (email.footers or {}).get((delivery.variables or {}).get("language"))
    return (theirs["text"], theirs["html"]) if theirs else (email.text_footer, email.html_footer)


def personalize(email, delivery, unsubscribe_url):
    """(text, html) as this recipient reads them: the shared body and their own footer."""
    values = _footer_values(delivery, unsubscribe_url)
    text_footer, html_footer = footers_for(email, delivery)
    text = email.text + Template(text_footer).safe_substitute(values)
    html = None
    if email.html:
        html = email.html + Template(html_footer).safe_substitute(_escaped(values))
    return text, html


def headers(email, unsubscribe_url):
    """The headers beyond From/To/Subject: list headers (RFC 2369, RFC 8058) on roster mail; Reply-To if set."""
    extra = {"Reply-To": email.reply_to} if getattr(email, "reply_to", "") else {}
    if email.kind != EmailKind.ROSTER:
        return {"Auto-Submitted": "auto-generated", **extra}
    return {
        "List-Id": email.list_id,
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Precedence": "list",
        **extra,
    }


def message_id(email, delivery, domain):
    # Derived from the row, not random: if a worker dies after the server took a
    # message but before recording it, the copy sent again carries the same
    # Message-ID, and receiving systems can recognise it as the same email.
    return f"<{email.created_at:%Y%m%d%H%M%S}.{email.id}.{delivery.id}@{domain}>"


def template(email, sender):
    """What every recipient of `email` shares, encoded once (see mime.py)."""
    return mime.Template(subject=email.subject, sender=sender, text=email.text, html=email.html,
                         headers=headers(email, unsubscribe_url=""),
                         attachments=[(a.filename, a.content_type, a.data) for a in email.attachments])


def build(email, shared, delivery, unsubscribe_url, domain):
    """(Message-ID, bytes) of what one recipient receives: body, footer and their own headers."""
    values = _footer_values(delivery, unsubscribe_url)
    text_footer, html_footer = footers_for(email, delivery)
    text_footer = Template(text_footer).safe_substitute(values)
    html_footer = Template(html_footer).safe_substitute(_escaped(values)) if email.html else ""
    msgid = message_id(email, delivery, domain)
    # A delivery may carry its own unsubscribe link (a sender's test gets an inert one): header and footer agree.
    data = shared.render(to_name=delivery.name, to_address=smtp_form(delivery.address)[0], message_id=msgid,
                         unsubscribe_url=values["unsubscribe_url"], text_footer=text_footer, html_footer=html_footer)
    return msgid, data


class Connection:
    """One SMTP session, reused for many emails and renewed after a set number of them."""

    def __init__(self, limit):
        self.limit = limit
        self._host = None
        self._used = 0

    def _open(self):
        # Flask-Mail's settings, but our own smtplib session: Flask-Mail sets no
        # timeout, and a silent server must not hang the worker.
        config = current_app.config
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        host = smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
        try:
            host.ehlo_or_helo_if_needed()
            if config["MAIL_USE_TLS"]:
                host.starttls()
                host.ehlo()
            if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
                host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except CONNECTION_ERRORS:
            host.close()
            raise
        self._host = host
        self._used = 0

    def close(self):
        if self._host is not None:
            try:
                self._host.quit()
            except CONNECTION_ERRORS:
                self._host.close()
            self._host = None

    def abort(self):
        """Drop the connection without a QUIT: after a timeout the server may not answer one."""
        if self._host is not None:
            self._host.close()
            self._host = None

    def ensure_open(self):
        """Connect if not connected; raises a CONNECTION_ERRORS exception if the server cannot be reached."""
        if self._host is not None and self._used >= self.limit:
            self.close()
        if self._host is None:
            self._open()

    def send(self, envelope_from, address, data):
        """One SMTP transaction: MAIL, RCPT, DATA. Returns an Outcome; never raises.

        Whatever goes wrong is this delivery's outcome. Only a connection lost
        before MAIL was accepted is "not_sent": the recipient is not to blame.
        A 421 at any stage means the server is closing: no more commands go on
        this connection, even if the server keeps it open.
        """
        address, smtputf8 = smtp_form(address)
        if smtputf8 and not self._host.has_extn("smtputf8"):
            return Outcome("permanent", "not sent: the mail server does not accept internationalized "
                                        "addresses (it does not offer SMTPUTF8)")
        host = self._host
        self._used += 1
        stage = "MAIL"
        try:
            code, reply = host.mail(envelope_from, ["SMTPUTF8"] if smtputf8 else [])
            if code != 250:
                return self._refused(host, code, reply)
            stage = "RCPT"
            code, reply = host.rcpt(address)
            if code not in (250, 251):
                return self._refused(host, code, reply)
            stage = "DATA"
            code, reply = host.data(data)
            if code == 421:
                self.abort()
            return classify(code, _decode(reply))
        except smtplib.SMTPDataError as exc:
            return self._refused(host, exc.smtp_code, exc.smtp_error)
        except CONNECTION_ERRORS as exc:
            self.abort()
            if stage == "MAIL":
                return Outcome("not_sent", f"connection lost before MAIL was accepted: {exc!r}")
            # The server took MAIL and then hung up or went silent on this
            # recipient: a temporary failure of this delivery alone. During DATA
            # the server may have kept the message; it is sent again, with the
            # same Message-ID (see README, "A reply that comes too late").
            return Outcome("temporary", f"connection lost during {stage}: {exc!r}")
        except Exception as exc:  # noqa: BLE001 - e.g. an address smtplib refuses to put on the wire
            self.abort()  # the session is in an unknown state
            return Outcome("permanent", f"not sent: {exc!r}")

    def _refused(self, host, code, reply):
        outcome = classify(code, _decode(reply))
        if code == 421:
            self.abort()
            return outcome
        try:
            host.rset()
        except CONNECTION_ERRORS:
            self.abort()
        return outcome
