"""Accounts for contact people and staff."""
import sqlalchemy as sa
from flask import current_app
from blinker import Namespace

from webapp.accounts import password_links, passwords
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


class WeakPassword(AccountError):
    """The password breaks a rule of passwords.problem; the message says which, for the person."""


def authenticate(email, password):
    """The active user with this email and password, or None.

    An unknown, inactive or invited account costs one password check too (against a hash of
    nothing), so the time of a login tells nobody who has one. A right password under an older
    hash is hashed again with argon2.
    """
    user = by_email(email)
    if user is None or not user.active or not user.password_hash:
        passwords.verify(None, password)
        return None
    if not user.check_password(password):
        return None
    db.session.commit()  # keeps an upgraded hash
    return user


def check_password_rules(password, email=""):
    problem = passwords.problem(password, email)
    if problem:
        raise WeakPassword(problem)


def create_user(*, email, name, password=None, role=Role.CONTACT, actor=None):
    """Create an account, with a password (the command line, the demo) or with none, to be invited.

    Raises AccountError if the email is taken, WeakPassword for a password the rules refuse.
    """
    email = email.strip().lower()
    if by_email(email) is not None:
        raise AccountError(f"an account for {email} exists already")
    if password is not None:
        check_password_rules(password, email)
    user = User(email=email, name=name.strip(), role=Role(role))
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("account.create", actor=actor, target=f"user:{user.id}", role=str(role))
    db.session.commit()
    return user


def invite_user(*, email, name, role, actor):
    """Create an account with no password and email its owner a link to choose one."""
    user = create_user(email=email, name=name, role=role, actor=actor)
    password_links.invite(user, actor)
    return user


def invite_again(user, actor):
    """A new invitation for someone who has not chosen a password yet (the old link stops working)."""
    if not user.invited or not user.active:
        raise AccountError("the account has a password already")
    password_links.invite(user, actor)


def end_sessions(user):
    """Every signed-in session of this user ends at its next request."""
    user.session_version += 1


def change_password(user, current, new):
    """Set a new password for a user who knows the current one; their other sessions end.

    Raises AccountError if they do not know it, WeakPassword for a new one the rules refuse.
    """
    if not user.check_password(current):
        raise AccountError("the current password is wrong")
    check_password_rules(new, user.email)
    user.set_password(new)
    end_sessions(user)
    record("account.password", actor=user, target=f"user:{user.id}")
    db.session.commit()


def sign_out_everywhere(user):
    end_sessions(user)
    record("account.sign_out_everywhere", actor=user, target=f"user:{user.id}")
    db.session.commit()


def log_out(user):
    """Logging out ends the session on the server too: a copy of the cookie is worth nothing after.

    The cookie is signed, not stored, so this ends the account's other sessions as well.
    """
    end_sessions(user)
    db.session.commit()


def set_role(user, role, actor):
    """Make an account staff or a contact person; its sessions end, to begin again with the new role."""
    role = Role(role)
    if user.role == role:
        return
    user.role = role
    end_sessions(user)
    record("account.role", actor=actor, target=f"user:{user.id}", role=str(role))
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
    end_sessions(user)  # a reactivated account's old cookies stay dead
    record("account.activate" if active else "account.deactivate", actor=actor, target=f"user:{user.id}")
    db.session.commit()


def set_request_emails(user, wanted):
    """Whether this contact gets an email for each new request and each decision another contact makes."""
    user.request_emails = bool(wanted)
    record("account.email_preferences", actor=user, target=f"user:{user.id}", request_emails=bool(wanted))
    db.session.commit()


def set_language(user, language):
    """The language of the user's pages (when logged in) and of every email they get."""
    if language not in current_app.config["LANGUAGES"]:
        raise ValueError(language)
    if user.language != language:
        user.language = language
        record("account.language", actor=user, target=f"user:{user.id}", language=language)
    db.session.commit()


def all_users():
    return db.session.scalars(sa.select(User).order_by(User.role, sa.func.lower(User.name))).all()


def names_by_id(user_ids):
    """{user id: name} of these accounts, in one query."""
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(list(user_ids)))).all())


def everyone():
    """Every account, by name: the audit log's choice of who acted."""
    return db.session.scalars(sa.select(User).order_by(User.name, User.id)).all()
