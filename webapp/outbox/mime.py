"""Each recipient's copy of an email, as bytes, built from a per-email template.

Building a message with Flask-Mail's Message (the email package underneath)
costs about a millisecond: it re-parses and re-folds every header and makes a
new MIME tree each time, which was most of the worker's time. A roster email is
the same for every recipient but for four headers and a footer, so the shared
part is encoded once per email and each copy is that, with the recipient's own
headers and quoted-printable footer spliced in. Attachments too are encoded
(base64) once per email, as bytes that every copy ends with.
"""
import base64
import secrets
from email import quoprimime
from email.header import Header
from email.utils import encode_rfc2231, formataddr, formatdate, parseaddr, quote

CRLF = "\r\n"


def _qp(text):
    # quoprimime works on code points 0-255: hand it the UTF-8 bytes as such.
    encoded = quoprimime.body_encode(text.encode("utf-8").decode("latin-1"), eol=CRLF)
    if text and not text.endswith("\n"):
        encoded += "=" + CRLF  # a soft break, so that what follows joins this line
    return encoded


def _one_line(value):
    return " ".join(str(value).splitlines())


def _subject(value):
    value = _one_line(value)
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, header_name="Subject").encode(linesep=CRLF)


def _header(key, value):
    value = _one_line(value)
    if not value.isascii():  # "phrase <id>", as List-Id is: the phrase becomes an encoded word
        value = formataddr(parseaddr(value), charset="utf-8")
    return f"{key}: {value}"


def _mailbox(name, address):
    name = _one_line(name)
    if address.isascii():
        return formataddr((name, address), charset="utf-8")
    # Such an address only goes with SMTPUTF8, under which headers are plain UTF-8 (RFC 6532).
    return f'"{quote(name)}" <{address}>' if name else f"<{address}>"


def _filename_params(filename):
    filename = _one_line(filename)
    if filename.isascii():
        return f'name="{quote(filename)}"', f'filename="{quote(filename)}"'
    encoded = encode_rfc2231(filename, "utf-8")
    return f"name*={encoded}", f"filename*={encoded}"


def _attachment_part(boundary, filename, content_type, data):
    """One attachment as a MIME part, base64 in lines of 76 characters, as bytes."""
    name, disposition = _filename_params(filename)
    head = (f"--{boundary}{CRLF}Content-Type: {content_type};{CRLF} {name}{CRLF}"
            f"Content-Disposition: attachment;{CRLF} {disposition}{CRLF}"
            f"Content-Transfer-Encoding: base64{CRLF}{CRLF}")
    return head.encode("ascii") + base64.encodebytes(data).replace(b"\n", b"\r\n")


class Template:
    """The parts of one email that every recipient shares, encoded once.

    `attachments` are (filename, content type, bytes): with any, the email is
    multipart/mixed, its text (and HTML) first, then each file.
    """

    def __init__(self, *, subject, sender, text, html, headers, attachments=()):
        name, address = parseaddr(sender)
        self.boundary = f"=_outbox_{secrets.token_hex(16)}"
        shared = [f"From: {formataddr((_one_line(name), address), charset='utf-8')}",
                  f"Subject: {_subject(subject)}", "MIME-Version: 1.0"]
        self.list_unsubscribe = "List-Unsubscribe" in headers
        shared += [_header(key, value) for key, value in headers.items() if key != "List-Unsubscribe"]
        if html:
            content = [f'Content-Type: multipart/alternative;{CRLF} boundary="{self.boundary}"']
        else:
            content = ['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"]
        self.mixed = None
        self.tail = b""
        if attachments:
            self.mixed = f"=_outbox_mixed_{secrets.token_hex(16)}"
            shared.append(f'Content-Type: multipart/mixed;{CRLF} boundary="{self.mixed}"')
            # The text (or the alternative parts) is the first part; its own headers open it.
            self.first_part = f"--{self.mixed}{CRLF}" + CRLF.join(content) + CRLF + CRLF
            self.tail = b"".join(_attachment_part(self.mixed, *a) for a in attachments) \
                + f"--{self.mixed}--{CRLF}".encode("ascii")
        else:
            shared += content
        self.head = CRLF.join(shared) + CRLF
        self.text = _qp(text)
        self.html = _qp(html) if html else None

    def render(self, *, to_name, to_address, message_id, unsubscribe_url, text_footer, html_footer):
        """One recipient's copy, as bytes ready for DATA."""
        own = [f"To: {_mailbox(to_name, to_address)}",
               f"Date: {formatdate(usegmt=True)}", f"Message-ID: {message_id}"]
        if self.list_unsubscribe:
            own.append(f"List-Unsubscribe: <{unsubscribe_url}>")
        head = self.head + CRLF.join(own) + CRLF + CRLF
        text = self.text + _qp(text_footer)
        if self.html is None:
            body = text
        else:
            part = f'--{self.boundary}{CRLF}Content-Type: text/%s; charset="utf-8"{CRLF}' \
                   f"Content-Transfer-Encoding: quoted-printable{CRLF}{CRLF}"
            body = (part % "plain" + text + CRLF + part % "html" + self.html + _qp(html_footer) + CRLF
                    + f"--{self.boundary}--{CRLF}")
        preamble = "This is a multi-part message in MIME format." + CRLF + CRLF
        if self.mixed is not None:
            return (head + preamble + self.first_part + body + CRLF).encode("utf-8") + self.tail
        if self.html is None:
            return (head + text).encode("utf-8")  # all 7-bit but for an internationalized address
        return (head + preamble + body).encode("utf-8")
