import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.db_types import UTCDateTime, str_enum, utcnow
from webapp.extensions import db


class JoinPolicy(enum.StrEnum):
    MODERATED = "moderated"  # a contact person approves each request
    OPEN = "open"  # confirming the address is enough
    CLOSED = "closed"  # not taking requests


class GroupContact(db.Model):
    """A contact person of a working group; position 0 is the publicly listed one."""

    __tablename__ = "group_contact"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("working_group.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship(lazy="joined")


class WorkingGroup(db.Model):
    __tablename__ = "working_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # One accomplishment per line.
    accomplishments: Mapped[str] = mapped_column(sa.Text, default="")
    join_policy: Mapped[JoinPolicy] = mapped_column(str_enum(JoinPolicy), default=JoinPolicy.MODERATED)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact_links: Mapped[list[GroupContact]] = relationship(
        order_by=GroupContact.position, cascade="all, delete-orphan"
    )

    @property
    def contacts(self):
        return [link.user for link in self.contact_links if link.user.active]

    @property
    def listed_contact(self):
        contacts = self.contacts
        return contacts[0] if contacts else None

    @property
    def accomplishment_list(self):
        return [line.strip() for line in self.accomplishments.splitlines() if line.strip()]

    @property
    def takes_requests(self):
        return self.active and self.join_policy != JoinPolicy.CLOSED
