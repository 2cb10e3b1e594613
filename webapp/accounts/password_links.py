"""Invitations and password resets: a single-use, expiring link by email to choose a password.

The link carries a random token; the database keeps only its SHA-256, so a copy of the
database opens no account. A new link replaces the account's earlier ones of any purpose.
"""
import hashlib
import secrets
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app

from webapp.accounts import notifications
from webapp.accounts.models import AccountLink, LinkPurpose
from webapp.audit.services import record
from webapp.db_types import utcnow
from webapp.extensions import db


class LinkProblem(Exception):
    """The link is unknown, used, replaced or expired."""


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime(purpose):
    config = current_app.config
    if purpose == LinkPurpose.INVITE:
        return timedelta(hours=config["INVITE_LINK_HOURS"])
    return timedelta(minutes=config["RESET_LINK_MINUTES"])


def issue(user, purpose):
    """A new link for the user (in the caller's transaction), replacing their unused ones; returns the token."""
    token, now = secrets.token_urlsafe(32), utcnow()
    db.session.execute(sa.update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
                       .values(used_at=now))
    db.session.add(AccountLink(user_id=user.id, purpose=LinkPurpose(purpose), token_hash=_hash(token),
                               created_at=now, expires_at=now + _lifetime(purpose)))
    return token


def invite(user, actor):
    """Email the user an invitation to choose their password."""
    token = issue(user, LinkPurpose.INVITE)
    notifications.invitation(user, token, actor, current_app.config["INVITE_LINK_HOURS"])
    record("account.invite", actor=actor, target=f"user:{user.id}")
    db.session.commit()


def request_reset(email):
    """Email a reset link to the active account with this address, if there is one.

    The caller answers the same either way; and the work is the same: a token is made and the
    email written for an unknown address too, only not queued.
    """
    from webapp.accounts.services import by_email

    user = by_email(email)
    token = secrets.token_urlsafe(32)
    if user is None or not user.active:
        notifications.password_reset(SimpleNamespace(email=email, name="", language=""), token,
                                     current_app.config["RESET_LINK_MINUTES"], queue=False)
        return
    token = issue(user, LinkPurpose.RESET)
    notifications.password_reset(user, token, current_app.config["RESET_LINK_MINUTES"])
    record("account.reset_requested", actor=user, target=f"user:{user.id}")
    db.session.commit()


def find(token):
    """The live link with this token; raises LinkProblem for one unknown, used, replaced or expired."""
    link = db.session.scalar(sa.select(AccountLink).where(AccountLink.token_hash == _hash(token or "")))
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        raise LinkProblem()
    return link


def use(token, password):
    """Set the password the link's owner chose: the link is used up and every session of theirs ends."""
    link = find(token)
    used = db.session.execute(sa.update(AccountLink).where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
                              .values(used_at=utcnow()))
    if used.rowcount != 1:  # used in another tab meanwhile
        db.session.rollback()
        raise LinkProblem()
    user = link.user
    user.set_password(password)
    user.session_version += 1
    record("account.invite_accepted" if link.purpose == LinkPurpose.INVITE else "account.reset",
           actor=user, target=f"user:{user.id}")
    db.session.commit()
    return user
