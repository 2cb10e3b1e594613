import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.db_types import UTCDateTime, str_enum, utcnow
from webapp.extensions import db
from webapp.groups.models import WorkingGroup
from webapp.organizations.models import Organization


class Status(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"
    PENDING = "pending"
    ACTIVE = "active"
    DECLINED = "declined"
    LEFT = "left"
    REMOVED = "removed"
    WITHDRAWN = "withdrawn"  # the applicant took back their request


class Person(db.Model):
    """Someone who asked to join a group. Nothing about status, age or case is kept."""

    __tablename__ = "person"
    # The roster in name order: walked in this order, a page reads only the people it shows.
    __table_args__ = (sa.Index("ix_person_name", sa.func.lower(sa.text("name")), "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # Lower-cased and stripped: one person per mailbox.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    # In every link to their page; asking for a new link raises it, which ends the old links.
    link_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # An address change asked for and not confirmed yet: the new address, and the nonce its link names
    # (the link carries no address). A new request replaces both; the change clears them.
    new_email: Mapped[str | None] = mapped_column(sa.String(254))
    new_email_nonce: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(db.Model):
    """One person in one working group, whatever the status; a new request reuses the row."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "group_id"),
        # The review queue and its counts: a group's pending requests, longest waiting first.
        sa.Index("ix_membership_review", "status", "group_id", "status_changed_at"),
        # The queue across several groups (staff's /review): pending requests in waiting order, whatever the
        # group, so that a page reads its rows and no sort of them all.
        sa.Index("ix_membership_waiting", "status", "status_changed_at", "id"),
        # The roster: its tabs' counts and a tab by join date or by organization read this index alone
        # (a tab by date changed reads ix_membership_review).
        sa.Index("ix_membership_roster", "group_id", "status", "joined_at", "organization_id", "person_id"),
        # The roster's search by organization name: the memberships of the organizations that match; the
        # roster by organization: an organization's members in a tab, in order (those without one too).
        sa.Index("ix_membership_organization", "organization_id", "group_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("working_group.id", ondelete="CASCADE"))
    status: Mapped[Status] = mapped_column(str_enum(Status), default=Status.UNCONFIRMED, index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id", ondelete="SET NULL"))
    role_title: Mapped[str] = mapped_column(sa.String(120), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changed on every confirmation email: only the newest link works, and only once.
    confirm_nonce: Mapped[str] = mapped_column(sa.String(32), default="")
    confirm_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the last request to join asked, kept apart until the address's owner confirms it: anyone can type
    # anyone's address, so an unconfirmed request never writes over the person, the organizations or this
    # membership's own details (its status, reason and history stay too).
    request_name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    request_organization: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    request_role_title: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    request_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    request_language: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")

    person: Mapped[Person] = relationship()
    group: Mapped[WorkingGroup] = relationship()
    organization: Mapped[Organization | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
    events: Mapped[list["MembershipEvent"]] = relationship(
        back_populates="membership", order_by="MembershipEvent.id", cascade="all, delete-orphan"
    )


class MembershipEvent(db.Model):
    """One change of a membership's status: who, when, from, to, why."""

    __tablename__ = "membership_event"
    # The dashboard's figures read the history by time (webapp/membership/figures.py).
    __table_args__ = (sa.Index("ix_membership_event_time", "created_at", "membership_id", "from_status", "to_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # Who acted, as shown: a user's name, "the applicant", "the member" or "system".
    actor_label: Mapped[str] = mapped_column(sa.String(254), default="")
    from_status: Mapped[Status | None] = mapped_column(str_enum(Status))
    to_status: Mapped[Status] = mapped_column(str_enum(Status))
    reason: Mapped[str] = mapped_column(sa.Text, default="")

    membership: Mapped[Membership] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
