"""What a message that came back to the bounce address is: a hard or soft bounce, an auto-reply, or unknown.

Bounces are recognised by flufl.bounce (Mailman's detectors: RFC 3464 DSNs and
dozens of non-standard formats), not by patterns of ours. Auto-replies are
told apart first by the headers RFC 3834 and the big providers set, because an
"out of office" must never count as a bounce.
"""
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.iterators import body_line_iterator, typed_subpart_iterator

from flufl.bounce import all_failures

from webapp.bounces.models import BounceKind

# Subjects of auto-replies that carry none of the headers below (English, Spanish, and common others).
AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|answer)|out of (the )?office|away from (the|my) office|vacation"
    r"|respuesta autom[aá]tica|fuera de la oficina|r[ée]ponse automatique|abwesenheitsnotiz)", re.IGNORECASE)


@dataclass
class Reading:
    kind: BounceKind
    addresses: list = field(default_factory=list)  # the failed recipients the detector found
    diagnostic: str = ""


# For display only: the first line of a non-DSN bounce that looks like an SMTP reply.
SMTP_REPLY_LINE = re.compile(r"^\s*([45]\d\d[ -].+)$")


def subject(message):
    """The Subject as text, whether encoded (RFC 2047) or raw 8-bit (read as UTF-8)."""
    value = message["Subject"]
    if value is None:
        return ""
    try:
        parts = decode_header(value)
    except (UnicodeError, ValueError):
        return str(value)
    text = ""
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            charset = charset if charset and charset != "unknown-8bit" else "utf-8"
            try:
                chunk = chunk.decode(charset, "replace")
            except LookupError:
                chunk = chunk.decode("utf-8", "replace")
        text += chunk
    return text


def _is_report(message):
    return message.get_content_type() == "multipart/report" or message["X-Failed-Recipients"] is not None


def _is_auto_reply(message):
    if _is_report(message):
        return False  # MTAs mark their bounces Auto-Submitted too
    auto_submitted = (message["Auto-Submitted"] or "no").strip().lower()
    return (auto_submitted != "no" or message["X-Autoreply"] is not None or message["X-Autorespond"] is not None
            or (message["Precedence"] or "").strip().lower() == "auto_reply"
            or message["X-MS-Exchange-Inbox-Rules-Loop"] is not None
            or bool(AUTO_REPLY_SUBJECT.match(subject(message))))


def _diagnostic(message):
    """The Status and Diagnostic-Code of a DSN's first failing recipient, when there are some."""
    for part in typed_subpart_iterator(message, "message", "delivery-status"):
        for block in part.get_payload() if part.is_multipart() else []:
            status, code = block.get("Status", ""), block.get("Diagnostic-Code", "")
            if status or code:
                return " ".join(f"{status} {code}".split())
    for line in body_line_iterator(message):
        if match := SMTP_REPLY_LINE.match(line):
            return match[1].strip()
    return ""


def read(message):
    """A Reading of one message (an email.message.Message, as flufl.bounce takes)."""
    if _is_auto_reply(message):
        return Reading(BounceKind.AUTO_REPLY, diagnostic=subject(message))
    temporary, permanent = all_failures(message)
    decode = lambda found: sorted(a.decode("ascii", "replace").lower() for a in found)  # noqa: E731
    if permanent:
        return Reading(BounceKind.HARD, decode(permanent), _diagnostic(message))
    if temporary:
        return Reading(BounceKind.SOFT, decode(temporary), _diagnostic(message))
    return Reading(BounceKind.UNPARSED, diagnostic=subject(message))
