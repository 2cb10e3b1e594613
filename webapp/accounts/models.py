import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.db_types import UTCDateTime, str_enum, utcnow
from webapp.extensions import db


class Role(enum.StrEnum):
    STAFF = "staff"
    CONTACT = "contact"


class User(UserMixin, db.Model):
    """An account: a working group's contact person, or coalition staff."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.CONTACT)
    active: Mapped[bool] = mapped_column(default=True)
    # The email about each new request and each decision another contact makes;
    # off, a contact keeps only the daily reminder of requests waiting too long.
    request_emails: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # The language of their pages (when logged in) and of the emails they get; "" until they choose one:
    # then their pages follow the visit's choice or the browser, as before they logged in, and emails the default.
    language: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_active(self):
        return self.active

    @property
    def is_staff(self):
        return self.role == Role.STAFF

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)
