"""Accounts for contact people and staff."""
import secrets

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash
from blinker import Namespace

from webapp.accounts.models import Role, User
from webapp.audit.services import record
from webapp.extensions import db


class AccountError(Exception):
    pass


class StillNeeded(AccountError):
    """The account is the only contact person of these groups; deactivating it would leave them none."""

    def __init__(self, groups):
        super().__init__(f"the only contact person of {', '.join(groups)}")
        self.groups = groups


# Sent with the account before it is deactivated; each receiver returns the names of
# the groups that would be left without a contact (groups answer: accounts knows none).
deactivating = Namespace().signal("deactivating")


def by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


# A hash of nothing anyone knows, made the way real ones are: an unknown or inactive
# account costs one password check too, so the time of a login tells nobody who has one.
_NOBODY = generate_password_hash(secrets.token_urlsafe(32))


def authenticate(email, password):
    """The active user with this email and password, or None."""
    user = by_email(email)
    if user is None or not user.active or not user.password_hash:
        check_password_hash(_NOBODY, password)
        return None
    return user if user.check_password(password) else None


def create_user(*, email, name, password, role=Role.CONTACT, actor=None):
    """Create an account; raises AccountError if the email is taken."""
    email = email.strip().lower()
    if by_email(email) is not None:
        raise AccountError(f"an account for {email} exists already")
    user = User(email=email, name=name.strip(), role=Role(role))
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("account.create", actor=actor, target=f"user:{user.id}", role=str(role))
    db.session.commit()
    return user


def change_password(user, current, new):
    """Set a new password for a user who knows the current one; raises AccountError if they do not."""
    if not user.check_password(current):
        raise AccountError("the current password is wrong")
    user.set_password(new)
    record("account.password", actor=user, target=f"user:{user.id}")
    db.session.commit()


def set_active(user, active, actor=None):
    """Deactivate (or reactivate) an account: a deactivated user cannot log in and is no group's contact.

    Raises StillNeeded, and changes nothing, for the only contact person of a group.
    """
    if not active:
        needed = [name for _, names in deactivating.send(user) for name in names or ()]
        if needed:
            raise StillNeeded(needed)
    user.active = active
    record("account.activate" if active else "account.deactivate", actor=actor, target=f"user:{user.id}")
    db.session.commit()


def set_request_emails(user, wanted):
    """Whether this contact gets an email for each new request and each decision another contact makes."""
    user.request_emails = bool(wanted)
    record("account.email_preferences", actor=user, target=f"user:{user.id}", request_emails=bool(wanted))
    db.session.commit()


def all_users():
    return db.session.scalars(sa.select(User).order_by(User.role, sa.func.lower(User.name))).all()


def names_by_id(user_ids):
    """{user id: name} of these accounts, in one query."""
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(list(user_ids)))).all())


def everyone():
    """Every account, by name: the audit log's choice of who acted."""
    return db.session.scalars(sa.select(User).order_by(User.name, User.id)).all()
