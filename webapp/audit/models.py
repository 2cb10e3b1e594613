from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db_types import UTCDateTime, utcnow
from webapp.extensions import db


class AuditEvent(db.Model):
    """Who did what, when and from where."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # A plain id and label rather than a foreign key: audit sits below accounts,
    # and the record must outlive the account it names.
    actor_id: Mapped[int | None]
    actor_label: Mapped[str] = mapped_column(sa.String(254), default="")
    ip_address: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target: Mapped[str] = mapped_column(sa.String(120), default="")
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
