"""Roster messages: compose, preview, send (into the outbox), follow."""
from collections import Counter
from dataclasses import dataclass
from email.utils import parseaddr

import nh3
import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from markdown_it import MarkdownIt
from sqlalchemy.orm import selectinload

from webapp import permissions
from webapp.audit.services import record
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.groups.models import GroupContact, WorkingGroup
from webapp.mailing import compose
from webapp.mailing.models import Message, message_group
from webapp.membership.queries import people_in_groups, roster_reach, roster_recipients
from webapp.outbox import queries as outbox_queries
from webapp.outbox import services as outbox
from webapp.outbox.models import DeliveryStatus
from webapp.paging import page_of

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


SAMPLE_TOKEN = "preview-sample-link"


NotAllowed = compose.NotAllowed


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    text_footer: str
    html_footer: str
    list_id: str
    footers: dict  # the footers in the other languages: {language: {"text": ..., "html": ...}}


def _footers(context):
    """The footer in each language, each rendered once for the whole roster: {language: {"text", "html"}}."""
    footers = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            footers[language] = {"text": render_template("email/mailing/footer.txt", **context),
                                 "html": render_template("email/mailing/footer.html", **context)}
    return footers


def render(subject, body, groups):
    """The shared parts of a roster email: one body, and a footer per language with $placeholders filled per recipient.

    The body is one text, as its author wrote it; each member reads the footer
    in their own language (the default one where theirs has none).
    """
    html_body = nh3.clean(_markdown.render(body))
    context = {"groups": groups, "coalition_name": current_app.config["COALITION_NAME"]}
    footers = _footers(context)
    default = footers.pop(current_app.config["BABEL_DEFAULT_LOCALE"])
    return Rendered(
        subject=subject,
        text=render_template("email/mailing/roster.txt", body=body, **context),
        html=render_template("email/mailing/roster.html", body_html=html_body, subject=subject, **context),
        text_footer=default["text"], html_footer=default["html"], footers=footers,
        list_id=_list_id(groups),
    )


def _list_id(groups):
    domain = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].rpartition("@")[2] or "localhost"
    name = ", ".join(g.name for g in groups)
    return f"{name} <{'.'.join(g.slug for g in groups)}.{domain}>"


def preview(subject, body, groups, author):
    """(text, html, (who gets it, who does not)) as the first member on the roster (or the author) would receive it.

    The member's own links are replaced by samples that lead nowhere: the person
    writing must not be handed a link that removes or unsubscribes someone else.
    """
    rendered = render(subject, body, groups)
    sample = next(iter(roster_recipients(groups)), None)
    if sample is None:
        sample = (author.email, author.name, {"groups": ", ".join(g.shown_name for g in groups)})
    address, name, variables = sample
    base = current_app.config["PUBLIC_URL"]
    variables = {**variables, "leave_url": f"{base}/me/{SAMPLE_TOKEN}"}
    text, html = outbox.preview(subject=subject, text=rendered.text, html=rendered.html,
                                text_footer=rendered.text_footer, html_footer=rendered.html_footer,
                                footers=rendered.footers,
                                address=address, name=name, variables=variables,
                                unsubscribe_link=f"{base}/unsubscribe/{SAMPLE_TOKEN}")
    return text, html, roster_reach(groups)


def send(author, subject, body, groups, reply_to=None):
    """Write a message and send it now, as compose and confirm do (replies to the author unless told)."""
    message = compose.save(author, None, subject=subject, body=body, groups=groups,
                           reply_to=reply_to or author.email, scheduled_for=None)
    compose.confirm(author, message)
    return message


def reach(groups):
    """(how many active members of these groups get their email, how many do not)."""
    return roster_reach(groups)


def left_out(groups):
    """How many active members of these groups get no group email (bouncing or blocked)."""
    return roster_reach(groups)[1]


MESSAGES_PER_PAGE = 50


def _visible_to(query, user):
    """Only the messages this user may see: all for staff, those to their groups for a contact."""
    if permissions.is_staff(user):
        return query
    theirs = sa.select(message_group.c.message_id).join(
        GroupContact, GroupContact.group_id == message_group.c.group_id
    ).where(GroupContact.user_id == user.id)
    return query.where(Message.id.in_(theirs))


@dataclass
class Listed:
    """A message on the list, with how its deliveries stand."""

    message: Message
    recipients: int
    sent: int
    waiting: int  # queued or being sent
    failed: int  # failed, or set aside after workers died on it
    not_sent: int  # bouncing or blocked, or cancelled


def _listed(message, counts):
    s = DeliveryStatus
    return Listed(message=message, recipients=sum(counts.values()), sent=counts[s.SENT],
                  waiting=counts[s.QUEUED] + counts[s.SENDING], failed=counts[s.FAILED] + counts[s.DEAD],
                  not_sent=counts[s.SUPPRESSED] + counts[s.CANCELLED])


def messages_page(user, number):
    """A page of the messages this user may see, newest first, each with its delivery counts.

    Five queries whatever the number of messages and deliveries: how many, the
    page, its groups, its authors, and one grouped count of its deliveries.
    """
    total = db.session.scalar(_visible_to(sa.select(sa.func.count()).select_from(Message), user))
    query = _visible_to(sa.select(Message), user) \
        .options(selectinload(Message.groups), selectinload(Message.author)) \
        .order_by(Message.created_at.desc(), Message.id.desc())
    page = page_of(query, number, total, MESSAGES_PER_PAGE)
    counts = outbox_queries.counts_by_email({m.email_id for m in page.items if m.email_id is not None})
    empty = Counter({status: 0 for status in DeliveryStatus})
    page.items = [_listed(m, counts.get(m.email_id, empty)) for m in page.items]
    return page


def get_message(message_id):
    return db.session.scalar(
        sa.select(Message).options(selectinload(Message.groups).selectinload(WorkingGroup.contact_links),
                                   selectinload(Message.attachments))
        .where(Message.id == message_id)
    )


def can_see(user, message):
    return any(permissions.can_review(user, g) for g in message.groups) or permissions.is_staff(user)


def recipients_visible_to(user, message):
    """None when `user` may see every recipient of the message; else a SELECT of the addresses they may see.

    A contact sees the people their roster shows in the message's groups they
    look after (someone who left since is still shown to their group; an
    unconfirmed or withdrawn request, which anyone can make, is not).
    """
    reviewed = [g.id for g in message.groups if permissions.can_review(user, g)]
    if permissions.is_staff(user) or len(reviewed) == len(message.groups):
        return None
    return people_in_groups(reviewed)


def retry_failed(actor, message):
    """Queue the message's failed and set-aside deliveries again; returns how many."""
    count = outbox.retry_failed(message.email_id) if message.email_id is not None else 0
    record("message.retry", actor=actor, target=f"message:{message.id}", count=count)
    db.session.commit()
    return count


def cancel_queued(actor, message):
    """Cancel what of the message is still waiting to be sent; returns how many."""
    by = "cancelled by staff" if permissions.is_staff(actor) else "cancelled by the sender"
    count = outbox.cancel_queued(message.email_id, reason=by) if message.email_id is not None else 0
    record("message.cancel", actor=actor, target=f"message:{message.id}", count=count)
    db.session.commit()
    return count


def recent_outcomes(user, limit=10):
    """[(message, {status: n})] for the last `limit` messages this user may see, oldest first: two queries."""
    messages = db.session.scalars(
        _visible_to(sa.select(Message), user).order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
    ).all()[::-1]
    counts = outbox_queries.counts_by_email({m.email_id for m in messages if m.email_id is not None})
    empty = Counter({status: 0 for status in DeliveryStatus})
    return [(m, counts.get(m.email_id, empty)) for m in messages]


@dataclass
class Progress:
    """How far a message's sending has gone, for the progress bar and its JSON."""

    total: int
    sent: int
    failed: int  # failed, or set aside after workers died on it
    not_sent: int  # bouncing or blocked, or cancelled (the member left)
    queued: int  # waiting or being sent
    seconds_left: int | None  # None: not known yet (nothing sent) or finished

    @property
    def done(self):
        return self.total - self.queued

    @property
    def running(self):
        return self.queued > 0

    def as_json(self):
        return {"total": self.total, "sent": self.sent, "failed": self.failed, "not_sent": self.not_sent,
                "queued": self.queued, "done": self.done, "running": self.running,
                "seconds_left": self.seconds_left}


def progress(message, counts):
    """The message's progress from its counts by status; the time left from the pace of what was sent so far."""
    s = DeliveryStatus
    queued = counts[s.QUEUED] + counts[s.SENDING]
    seconds_left = None
    if queued and message.email_id is not None:
        first, last, sent = outbox_queries.sending_span(message.email_id)
        if sent >= 2 and last > first:
            # The pace from the first email sent to now, so that a stalled worker shows a growing estimate.
            elapsed = max((utcnow() - first).total_seconds(), (last - first).total_seconds())
            seconds_left = max(round(queued * elapsed / sent), 1)
    return Progress(total=sum(counts.values()), sent=counts[s.SENT], failed=counts[s.FAILED] + counts[s.DEAD],
                    not_sent=counts[s.SUPPRESSED] + counts[s.CANCELLED], queued=queued, seconds_left=seconds_left)


def subjects(message_ids):
    """{message id: subject} for these ids, in one query."""
    return dict(db.session.execute(sa.select(Message.id, Message.subject).where(Message.id.in_(list(message_ids)))).all())


def audit_targets_in_group(group_id):
    """A SELECT of the audit targets naming the messages sent to this group ('message:<id>')."""
    return sa.select(sa.literal("message:") + sa.cast(message_group.c.message_id, sa.String)).where(
        message_group.c.group_id == group_id)
