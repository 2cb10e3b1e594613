import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db_types import UTCDateTime, str_enum, utcnow
from webapp.extensions import db


class CoalitionStatus(enum.StrEnum):
    APPLICANT = "applicant"
    MEMBER = "member"
    FORMER = "former"


class Organization(db.Model):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The lower-cased, space-folded name: unique, so "The Door" and "the door" are one.
    name_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    location: Mapped[str] = mapped_column(sa.String(120), default="")
    kind: Mapped[str] = mapped_column(sa.String(60), default="")
    coalition_status: Mapped[CoalitionStatus] = mapped_column(
        str_enum(CoalitionStatus), default=CoalitionStatus.APPLICANT
    )
    listed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
