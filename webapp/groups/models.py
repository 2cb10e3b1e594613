import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.db_types import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.translations import reader_language


class JoinPolicy(enum.StrEnum):
    MODERATED = "moderated"  # a contact person approves each request
    OPEN = "open"  # confirming the address is enough
    CLOSED = "closed"  # not taking requests


class GroupContact(db.Model):
    """A contact person of a working group; staff choose the one named on the public pages (listed)."""

    __tablename__ = "group_contact"
    # At most one listed contact per group, whatever the order of statements that change it.
    __table_args__ = (sa.Index("uq_group_contact_listed", "group_id", unique=True,
                               sqlite_where=sa.text("listed"), postgresql_where=sa.text("listed")),)

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("working_group.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    listed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

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
    # The same texts in Spanish; the English ones above are shown where these are empty, and the other way round.
    name_es: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    summary_es: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    description_es: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    accomplishments_es: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
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
        """The contact staff chose to name publicly; the first active one if that account is deactivated."""
        active = [link for link in self.contact_links if link.user.active]
        chosen = next((link for link in active if link.listed), active[0] if active else None)
        return chosen.user if chosen else None

    def in_language(self, field, language=None):
        """A text in the reader's language (the page's, or the email's under force_locale), else in the other."""
        language = language or reader_language()
        english, spanish = getattr(self, field) or "", getattr(self, f"{field}_es") or ""
        return (spanish or english) if language == "es" else (english or spanish)

    @property
    def shown_name(self):
        return self.in_language("name")

    @property
    def shown_summary(self):
        return self.in_language("summary")

    @property
    def shown_description(self):
        return self.in_language("description")

    @property
    def accomplishment_list(self):
        text = self.in_language("accomplishments")
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def takes_requests(self):
        return self.active and self.join_policy != JoinPolicy.CLOSED
