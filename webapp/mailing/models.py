from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.db_types import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.groups.models import WorkingGroup
from webapp.outbox.models import Email

message_group = sa.Table(
    "message_group",
    db.metadata,
    sa.Column("message_id", sa.ForeignKey("message.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("group_id", sa.ForeignKey("working_group.id", ondelete="CASCADE"), primary_key=True),
)


class Message(db.Model):
    """A roster email written by staff or a contact person, to one or more groups."""

    __tablename__ = "message"
    # The messages list, newest first: a page reads its rows from here, not a sort of every message.
    __table_args__ = (sa.Index("ix_message_created", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)  # Markdown
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    email_id: Mapped[int | None] = mapped_column(sa.ForeignKey("email.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship()
    email: Mapped[Email | None] = relationship()
    groups: Mapped[list[WorkingGroup]] = relationship(secondary=message_group, order_by=WorkingGroup.name)
