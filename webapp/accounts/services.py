"""Accounts for contact people and staff."""
import sqlalchemy as sa

from webapp.accounts.models import Role, User
from webapp.audit.services import record
from webapp.extensions import db


class AccountError(Exception):
    pass


def by_email(email):
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def authenticate(email, password):
    """The active user with this email and password, or None."""
    user = by_email(email)
    if user is not None and user.active and user.check_password(password):
        return user
    return None


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
    """Deactivate (or reactivate) an account: a deactivated user cannot log in and is no group's contact."""
    user.active = active
    record("account.activate" if active else "account.deactivate", actor=actor, target=f"user:{user.id}")
    db.session.commit()


def all_users():
    return db.session.scalars(sa.select(User).order_by(User.role, sa.func.lower(User.name))).all()
