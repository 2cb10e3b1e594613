import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db_types import UTCDateTime, str_enum, utcnow
from webapp.extensions import db


class BounceKind(enum.StrEnum):
    HARD = "hard"  # the mailbox does not exist or refuses for good: counts 1
    SOFT = "soft"  # full, delayed, temporarily refused: counts 0.5
    AUTO_REPLY = "auto_reply"  # "out of office" and the like: counts nothing
    UNPARSED = "unparsed"  # no detector recognised it: kept for staff to read


class Bounce(db.Model):
    """One message that came back to the bounce address, as it arrived, and what was read in it."""

    __tablename__ = "bounce"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[BounceKind] = mapped_column(str_enum(BounceKind))
    # The address charged: from the VERP envelope recipient when there is one, else what the detector found.
    address: Mapped[str] = mapped_column(sa.String(254), default="", index=True)
    delivery_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delivery.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(sa.String(300), default="")
    diagnostic: Mapped[str] = mapped_column(sa.Text, default="")
    counted: Mapped[bool] = mapped_column(default=False)  # added to the address's score
    raw: Mapped[bytes] = mapped_column(sa.LargeBinary)


class BounceScore(db.Model):
    """An address's bounce score, Mailman's way: hard 1, soft 0.5, at most one a day, forgotten after a quiet week."""

    __tablename__ = "bounce_score"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(254), unique=True)
    score: Mapped[float] = mapped_column(sa.Float, default=0.0)
    last_counted_on: Mapped[date | None] = mapped_column(sa.Date)
    last_diagnostic: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
