import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.db_types import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.groups.models import WorkingGroup
from webapp.outbox.models import Attachment, Email

message_group = sa.Table(
    "message_group",
    db.metadata,
    sa.Column("message_id", sa.ForeignKey("message.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("working_group.id", ondelete="CASCADE"), primary_key=True),
)

message_attachment = sa.Table(
    "message_attachment",
    db.metadata,
    sa.Column("message_id", sa.ForeignKey("message.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("attachment_id", sa.ForeignKey("attachment.id", ondelete="CASCADE"), primary_key=True),
)


class MessageStatus(enum.StrEnum):
    DRAFT = "draft"  # written, not yet confirmed: nothing queued
    SCHEDULED = "scheduled"  # confirmed for a later time: a worker starts it then
    STARTED = "started"  # its deliveries are queued in the outbox (sent_at says when)
    CANCELLED = "cancelled"  # cancelled before it started


class Message(db.Model):
    """A roster email written by staff or a contact person, to one or more groups."""

    __tablename__ = "message"
    # The workers' look for scheduled messages that are due; the messages list, newest first.
    __table_args__ = (sa.Index("ix_message_due", "status", "scheduled_for"),
                      sa.Index("ix_message_created", "created_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    email_id: Mapped[int | None] = mapped_column(sa.ForeignKey("email.id", ondelete="SET NULL"))
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus), default=MessageStatus.DRAFT)
    # Where replies go: the author's address or another contact's of the message's groups.
    reply_to: Mapped[str] = mapped_column(sa.String(254), default="")
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: as soon as it is confirmed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when its deliveries were queued

    author: Mapped[User | None] = relationship()
    email: Mapped[Email | None] = relationship()
    groups: Mapped[list[WorkingGroup]] = relationship(secondary=message_group, order_by=WorkingGroup.name)
    attachments: Mapped[list[Attachment]] = relationship(secondary=message_attachment, order_by=Attachment.id)


class MessageTest(db.Model):
    """A test of a message sent to its author alone: shown on the message page, never counted as the message."""

    __tablename__ = "message_test"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"), index=True)
    email_id: Mapped[int | None] = mapped_column(sa.ForeignKey("email.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
