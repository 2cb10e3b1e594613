import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db_types import UTCDateTime, str_enum, utcnow
from webapp.extensions import db


class EmailKind(enum.StrEnum):
    NOTICE = "notice"  # about a person's own request: always goes
    ROSTER = "roster"  # mail to a group's roster: honours the suppression list


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a worker, under lease
    SENT = "sent"
    FAILED = "failed"  # permanent failure, or retries ran out
    SUPPRESSED = "suppressed"  # the address asked for no more roster mail
    CANCELLED = "cancelled"  # staff cancelled it, or the member left
    DEAD = "dead"  # its lease expired too often without a result: set aside for staff


class Email(db.Model):
    """One email's body, shared by all its recipients.

    The footers are string.Template texts filled per recipient at send time from
    Delivery.variables and $unsubscribe_url.
    """

    __tablename__ = "email"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EmailKind] = mapped_column(str_enum(EmailKind))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str] = mapped_column(sa.Text, default="")
    text_footer: Mapped[str] = mapped_column(sa.Text, default="")
    html_footer: Mapped[str] = mapped_column(sa.Text, default="")
    list_id: Mapped[str] = mapped_column(sa.String(200), default="")
    # The footers in other languages, {language: {"text": ..., "html": ...}}: a recipient whose
    # Delivery.variables name one of them gets it; everyone else the two footers above.
    footers: Mapped[dict | None] = mapped_column(sa.JSON)
    # Where replies go (a person, never the app's own address); "" for none.
    reply_to: Mapped[str] = mapped_column(sa.String(400), default="")
    # Opaque keys naming who the email was for (e.g. "group:3"); a member leaving
    # cancels a queued roster email only when none of its keys still apply.
    audience: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachments: Mapped[list["Attachment"]] = relationship(secondary=lambda: email_attachment,
                                                           order_by=lambda: Attachment.id)


class Attachment(db.Model):
    """A file sent with an email: its bytes are stored once, whatever the number of recipients or emails."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    # Deferred: lists and pages name attachments without reading their bytes.
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


email_attachment = sa.Table(
    "email_attachment",
    db.metadata,
    sa.Column("email_id", sa.ForeignKey("email.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("attachment_id", sa.ForeignKey("attachment.id", ondelete="CASCADE"), primary_key=True),
)


class Delivery(db.Model):
    """One email to one recipient: the outbox row a worker claims and sends."""

    __tablename__ = "delivery"
    __table_args__ = (sa.Index("ix_delivery_due", "status", "next_attempt_at"),
                      # The message page: one email's deliveries by status, in address order.
                      sa.Index("ix_delivery_email_status_address", "email_id", "status", "address"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email_id: Mapped[int] = mapped_column(sa.ForeignKey("email.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(120), default="")
    variables: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus), default=DeliveryStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    # Leases that ran out with no result: a worker died holding the row.
    expired_leases: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    leased_by: Mapped[str] = mapped_column(sa.String(80), default="")
    last_reply: Mapped[str] = mapped_column(sa.Text, default="")
    message_id: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    email: Mapped[Email] = relationship()


class SuppressionKind(enum.StrEnum):
    BOUNCE = "bounce"  # its bounce score reached the threshold (see webapp/bounces/scoring.py)
    STAFF = "staff"  # staff blocked it


class Suppression(db.Model):
    """An address that gets no more roster mail: its mailbox bounces, or staff blocked it."""

    __tablename__ = "suppression"
    # The roster's bouncing tab and its count read the bounces alone, not every address staff blocked.
    __table_args__ = (sa.Index("ix_suppression_kind", "kind", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(254), unique=True)
    kind: Mapped[SuppressionKind] = mapped_column(str_enum(SuppressionKind), default=SuppressionKind.BOUNCE)
    reason: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Block(db.Model):
    """An address, a domain (`@example.com`) or a pattern (`*@*.example.com`) that may not ask to join."""

    __tablename__ = "block"

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(sa.String(254), unique=True)
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkerState(db.Model):
    """What the workers learned of the mail server, for the staff pages' warning."""

    __tablename__ = "worker_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    # When a worker last got an answer to a transaction, and when one last could
    # not connect, be greeted or log in: see services.server_trouble().
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    # When a delivery worker last said it was alive (any worker, busy or idle): /healthz reports its age.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
