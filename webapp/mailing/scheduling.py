"""Send later: times typed in the coalition's zone (TIME_ZONE), kept in UTC; the workers start what is due.

Starting a scheduled message is one conditional UPDATE of its row (scheduled and
due → started) in the same transaction as the queueing of its deliveries: of
several workers, the first to update the row queues it and the others find it
started (on PostgreSQL the second UPDATE waits for the first to commit, then
matches nothing; on SQLite writes are one at a time).
"""
import logging
from datetime import timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing.models import Message, MessageStatus

log = logging.getLogger(__name__)

# Scheduled messages a worker starts before each batch of deliveries, at most.
START_AT_ONCE = 5


class NoSuchTime(ValueError):
    """A local time the clocks skip (the spring change)."""


def zone():
    return ZoneInfo(current_app.config["TIME_ZONE"])


def to_utc(local):
    """A naive date and time read in the coalition's zone, as an aware UTC datetime."""
    aware = local.replace(tzinfo=zone())
    if aware.astimezone(timezone.utc).astimezone(zone()).replace(tzinfo=None) != local:
        raise NoSuchTime(local)
    return aware.astimezone(timezone.utc)


def to_local(value):
    """An aware UTC datetime as a naive one in the coalition's zone, for a form."""
    return value.astimezone(zone()).replace(tzinfo=None) if value else None


def claim(message_id, now):
    """Move a due scheduled message to started; whether this caller won it (it then queues it before committing)."""
    result = db.session.execute(
        sa.update(Message)
        .where(Message.id == message_id, Message.status == MessageStatus.SCHEDULED, Message.scheduled_for <= now)
        .values(status=MessageStatus.STARTED, sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def start_due_messages():
    """Start the scheduled messages whose time has come (the workers run this); how many this caller started.

    Each is checked again first: one that may no longer go as it is goes back to draft, with the reason
    on its page. One that fails to start goes back to draft too, and the others due go on.
    """
    from webapp.mailing import compose  # compose imports this module

    now = utcnow()
    due = db.session.scalars(
        sa.select(Message.id).where(Message.status == MessageStatus.SCHEDULED, Message.scheduled_for <= now)
        .order_by(Message.scheduled_for, Message.id).limit(START_AT_ONCE)
    ).all()
    started = 0
    for message_id in due:
        try:
            reason = compose.why_it_may_not_start(db.session.get(Message, message_id))
            if reason is not None:
                if compose.hold(message_id, reason):
                    log.warning("scheduled message %s held back: %s", message_id, reason)
            elif claim(message_id, now):
                # No request here: the shared text is rendered in the default language, as for any reader
                # (each member's footer is theirs, filled in per recipient).
                with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                    compose.queue_deliveries(db.session.get(Message, message_id), actor="worker")
                started += 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("scheduled message %s could not be started", message_id)
            _hold_after_error(message_id)
    return started


def _hold_after_error(message_id):
    """Back to draft, so that it neither fails again each pass nor holds back the messages due after it."""
    from webapp.mailing import compose

    try:
        compose.hold(message_id, "error")
        db.session.commit()
    except Exception:
        db.session.rollback()  # the database itself is in trouble: it stays scheduled, tried again next pass
        log.exception("scheduled message %s could not be held back either", message_id)


def init_app(app):
    from webapp.outbox.worker import register_due_work

    register_due_work(app, start_due_messages)
