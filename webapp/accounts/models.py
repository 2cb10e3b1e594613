import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from webapp.accounts import passwords
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
    # Empty until an invited person chooses a password: nobody can log in to it.
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
    # Every signed-in session carries the version it began with; raising it ends them all
    # (password change or reset, deactivation, a new role, "sign out everywhere", logging out).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Two-factor sign-in: the TOTP secret (empty: off) and the last 30-second step a code was
    # accepted for, so that a code seen over a shoulder cannot be used a second time.
    totp_secret: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    totp_last_step: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")

    @property
    def is_active(self):
        return self.active

    @property
    def is_staff(self):
        return self.role == Role.STAFF

    @property
    def two_factor(self):
        return bool(self.totp_secret)

    @property
    def invited(self):
        """Invited and yet to choose a password."""
        return not self.password_hash

    def set_password(self, password):
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password):
        """Whether the password is right; a right one under an old hash is hashed again with argon2."""
        if not self.password_hash:
            passwords.verify(None, password)
            return False
        right, rehash = passwords.verify(self.password_hash, password)
        if right and rehash:
            self.set_password(password)
        return right


class LinkPurpose(enum.StrEnum):
    INVITE = "invite"
    RESET = "reset"


class AccountLink(db.Model):
    """A single-use, expiring link to choose a password: an invitation or a reset.

    Only the SHA-256 of its token is kept: the database alone opens no account.
    """

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(str_enum(LinkPurpose))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = db.relationship()


class RecoveryCode(db.Model):
    """One of the ten single-use codes that stand in for the authenticator app; kept as a SHA-256."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
