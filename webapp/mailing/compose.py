"""A message's life before it goes out: draft, reply address, attachments, test, confirmation, schedule, start.

draft ──confirm──> started (its deliveries queued)         draft/scheduled ──cancel──> cancelled
  └──confirm, with a time──> scheduled ──its time (a worker)──> started
                                 └──its time, but it may no longer go (a worker)──> draft (held, with the reason)

Every change of a message that has not started is one conditional UPDATE on its
row (status still draft or scheduled), so an edit, a cancellation and a worker
starting it cannot both win.
"""
from dataclasses import dataclass
from email.utils import formataddr

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from webapp import permissions
from webapp.accounts.services import by_email
from webapp.audit.services import record
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing import attachments as files
from webapp.mailing.models import Message, MessageStatus, MessageTest
from webapp.membership.queries import roster_recipients
from webapp.outbox import blocks
from webapp.outbox import services as outbox
from webapp.outbox.models import EmailKind
from webapp.translations import reader_language

NOT_STARTED = (MessageStatus.DRAFT, MessageStatus.SCHEDULED)


class NotAllowed(Exception):
    pass


class NotChangeable(Exception):
    """The message has started going out, or was cancelled: it can no longer be changed."""


class BadReplyTo(Exception):
    """The reply address is not the author's own nor a contact's of the chosen groups."""


class PastTime(Exception):
    """The time to send at has passed."""


def reply_choices(user, groups):
    """[(address, "Name <address>")] a message from `user` to `groups` may name for replies: the author first.

    Never the app's own address: replies are for a person to read.
    """
    people = [(user.email, user.name)]
    for group in groups:
        people += [(link.user.email, link.user.name) for link in group.contact_links if link.user.active]
    choices, seen = [], set()
    for address, name in people:
        if address not in seen and not blocks.is_own_address(address):
            seen.add(address)
            choices.append((address, formataddr((name, address))))
    return choices


def _check_reply_to(author, groups, reply_to):
    if reply_to not in {address for address, _ in reply_choices(author, groups)}:
        raise BadReplyTo(reply_to)


@dataclass
class Upload:
    filename: str
    data: bytes


def save(author, message, *, subject, body, groups, reply_to, scheduled_for, uploads=(), remove=()):
    """Create (message None) or change a draft or scheduled message; commits and returns it.

    Raises NotAllowed, NotChangeable, BadReplyTo, PastTime or attachments.Refused,
    and then nothing is saved. A scheduled message keeps its place when it still
    has a time; without one it is a draft again, until confirmed.
    """
    if not permissions.can_message(author, groups) or (message is not None
                                                       and not permissions.can_change_message(author, message)):
        raise NotAllowed()
    _check_reply_to(author, groups, reply_to)
    if scheduled_for is not None and scheduled_for <= utcnow():
        raise PastTime()
    checked = [files.check(u.filename, u.data) for u in uploads]
    kept = [a for a in (message.attachments if message else []) if a.id not in set(remove)]
    files.check_total([a.size for a in kept] + [len(c.data) for c in checked])
    values = {"subject": subject, "body": body, "reply_to": reply_to, "scheduled_for": scheduled_for}
    if message is None:
        message = Message(author_id=author.id, status=MessageStatus.DRAFT, **values)
        db.session.add(message)
    else:
        status = message.status if scheduled_for is not None else MessageStatus.DRAFT
        _guarded_update(message, **values, status=status)
    message.groups = list(groups)
    dropped = [a for a in message.attachments if a not in kept]
    message.attachments = kept + [outbox.store_attachment(c.filename, c.content_type, c.data) for c in checked]
    db.session.flush()
    for attachment in dropped:  # a draft's attachment went in no email yet: nothing else holds it
        db.session.delete(attachment)
    record("message.save", actor=author, target=f"message:{message.id}", groups=[g.id for g in groups])
    db.session.commit()
    return message


def _guarded_update(message, **values):
    """Change a message that has not started; NotChangeable (and a rollback) if it has meanwhile."""
    result = db.session.execute(
        sa.update(Message).where(Message.id == message.id, Message.status.in_(NOT_STARTED)).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise NotChangeable()
    db.session.refresh(message)


def confirm(actor, message):
    """The second look said yes: start the message now, or schedule it for its time. Commits.

    Returns the message's new status; raises NotAllowed, NotChangeable or PastTime.
    """
    if not permissions.can_change_message(actor, message):
        raise NotAllowed()
    now = utcnow()
    if message.scheduled_for is not None:
        if message.scheduled_for <= now:
            raise PastTime()
        _guarded_update(message, status=MessageStatus.SCHEDULED)
        record("message.schedule", actor=actor, target=f"message:{message.id}",
               at=message.scheduled_for.isoformat())
    else:
        _guarded_update(message, status=MessageStatus.STARTED, sent_at=now)
        queue_deliveries(message, actor=actor)
    db.session.commit()
    return message.status


def cancel(actor, message):
    """Cancel a draft or scheduled message before it starts; commits. Raises NotAllowed or NotChangeable."""
    if not permissions.can_change_message(actor, message):
        raise NotAllowed()
    _guarded_update(message, status=MessageStatus.CANCELLED)
    record("message.cancel_scheduled", actor=actor, target=f"message:{message.id}")
    db.session.commit()


# Why a scheduled message went back to draft when its time came, as its page says it.
HELD_REASONS = {
    "author": _l("its author can no longer write to these groups."),
    "reply_to": _l("the person replies would go to can no longer get them (their account was closed, or they no "
                   "longer look after these groups)."),
    "error": _l("it could not be started."),
}
HELD_ACTIONS = ("message.held", "message.save", "message.schedule", "message.send")


def why_it_may_not_start(message):
    """A HELD_REASONS key when a message confirmed earlier may no longer go as it is, else None.

    Checked again when its time comes: since it was confirmed, its author may have been deactivated
    or stopped looking after a group, and its reply address may belong to a closed account.
    """
    author = message.author
    if author is None or not author.active or not permissions.can_message(author, message.groups):
        return "author"
    if message.reply_to not in {address for address, _ in reply_choices(author, message.groups)}:
        return "reply_to"
    return None


def hold(message_id, reason):
    """A scheduled message goes back to draft with its reason (a HELD_REASONS key), in the caller's transaction.

    Guarded like every change: of several workers, one holds it. Returns whether this caller did.
    """
    result = db.session.execute(
        sa.update(Message).where(Message.id == message_id, Message.status == MessageStatus.SCHEDULED)
        .values(status=MessageStatus.DRAFT).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    record("message.held", actor="worker", target=f"message:{message_id}", reason=reason)
    return True


def held_reason(message):
    """Why a draft was held back at its time, while nobody has saved or confirmed it since; else None."""
    if message.status != MessageStatus.DRAFT:
        return None
    from webapp.audit.models import AuditEvent

    last = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.target == f"message:{message.id}",
                                    AuditEvent.action.in_(HELD_ACTIONS))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(1)).first()
    if last is None or last.action != "message.held":
        return None
    return HELD_REASONS.get((last.details or {}).get("reason"), HELD_REASONS["error"])


def reply_to_label(message):
    """Who replies reach, as "Name <address>"."""
    return _reply_to_header(message.reply_to)


def _reply_to_header(address):
    user = by_email(address) if address else None
    return formataddr((user.name if user else "", address)) if address else ""


def _queue(message, recipients, audience):
    from webapp.mailing.services import render  # services imports this module

    rendered = render(message.subject, message.body, message.groups)
    return outbox.enqueue(
        kind=EmailKind.ROSTER, subject=message.subject, text=rendered.text, html=rendered.html,
        text_footer=rendered.text_footer, html_footer=rendered.html_footer, footers=rendered.footers,
        list_id=rendered.list_id, recipients=recipients, audience=audience, reply_to=_reply_to_header(message.reply_to),
        attachments=message.attachments,
    )


def queue_deliveries(message, actor):
    """Queue one delivery per distinct active member of the message's groups, in the caller's transaction.

    The caller has moved the message to started (a guarded UPDATE); the roster is
    read and written in chunks (outbox.enqueue), as Send now does.
    """
    message.email = _queue(message, roster_recipients(message.groups),
                           [f"group:{g.id}" for g in message.groups])
    message.status = MessageStatus.STARTED
    message.sent_at = message.sent_at or utcnow()
    db.session.flush()
    record("message.send", actor=actor, target=f"message:{message.id}", groups=[g.id for g in message.groups])


def send_test(author, message):
    """Queue the message to its author alone, exactly as a member gets it but with inert personal links. Commits.

    The test's email names no group (its unsubscribe link could leave none) and
    its links lead to the preview's sample page; it is recorded on the message.
    """
    if not permissions.can_message(author, message.groups) or not (
            permissions.is_staff(author) or message.author_id == author.id):
        raise NotAllowed()
    from webapp.mailing.services import SAMPLE_TOKEN

    base = current_app.config["PUBLIC_URL"]
    # In the author's language, as a member who chose it reads it (the page's, until they choose one).
    language = reader_language(author)
    variables = {"groups": ", ".join(g.in_language("name", language) for g in message.groups),
                 "language": language, "leave_url": f"{base}/me/{SAMPLE_TOKEN}",
                 "unsubscribe_url": f"{base}/unsubscribe/{SAMPLE_TOKEN}"}
    email = _queue(message, [(author.email, author.name, variables)], audience=[])
    test = MessageTest(message_id=message.id, email_id=email.id, address=outbox.normalize_address(author.email))
    db.session.add(test)
    record("message.test", actor=author, target=f"message:{message.id}")
    db.session.commit()
    return test


def tests_of(message):
    """[(test, its delivery status or None)] newest first, one query."""
    from webapp.outbox.models import Delivery

    return db.session.execute(
        sa.select(MessageTest, Delivery.status).outerjoin(Delivery, Delivery.email_id == MessageTest.email_id)
        .where(MessageTest.message_id == message.id).order_by(MessageTest.id.desc()).limit(20)
    ).all()


def attachment_of(message, attachment_id):
    """One of the message's attachments with its bytes, or None."""
    return next((a for a in message.attachments if a.id == attachment_id), None)


def uploads_from(storages):
    """Upload(filename, bytes) of each file a form received (empty file inputs are skipped)."""
    return [Upload(s.filename, s.read()) for s in storages or [] if getattr(s, "filename", "")]

