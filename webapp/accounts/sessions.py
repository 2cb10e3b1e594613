"""Signed-in sessions: what the cookie carries, and the checks every request makes on it.

The cookie is signed, not stored: what ends a session server-side is the account's
`session_version`. A session carries the version it began with, and a request whose version
is not the account's any more is signed out. Logging out, a password change or reset,
deactivation, a change of role and "sign out everywhere" raise the version, so a copy of the
cookie taken before is worth nothing after. The session also carries when it began (it lasts
SESSION_HOURS), when it was last used (it ends after SESSION_IDLE_MINUTES unused) and when the
password was last entered (sensitive actions want that within RECENT_SIGN_IN_MINUTES).
"""
import time
from functools import wraps

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from webapp.links import same_site_path

VERSION, STARTED, SEEN, CONFIRMED, PENDING = "sv", "started", "seen", "confirmed", "pending_sign_in"
# Kept when a session is replaced at login: the language chosen before is still wanted.
KEPT = ("lang",)


def now():
    return int(time.time())


def renew():
    """Throw the session away, and with it its CSRF token, keeping only the language chosen."""
    kept = {key: session[key] for key in KEPT if key in session}
    session.clear()
    session.update(kept)


def begin(user):
    """Sign the user in on a new session: nothing planted in the old one (a CSRF token) survives."""
    renew()
    login_user(user)
    session.permanent = True  # the cookie's lifetime is SESSION_HOURS (PERMANENT_SESSION_LIFETIME)
    stamp = now()
    session.update({VERSION: user.session_version, STARTED: stamp, SEEN: stamp, CONFIRMED: stamp})


def keep(user):
    """After the user's own change that ended their other sessions (a new password): this one goes on."""
    session[VERSION] = user.session_version


def confirmed():
    """The password was entered again just now."""
    session[CONFIRMED] = now()


def still_valid(user):
    """Whether this request's session may go on for this user (checked on every request)."""
    config = current_app.config
    stamp = now()
    if not user.active or session.get(VERSION) != user.session_version:
        return False
    if stamp - session.get(STARTED, 0) > config["SESSION_HOURS"] * 3600:
        return False
    if stamp - session.get(SEEN, 0) > config["SESSION_IDLE_MINUTES"] * 60:
        return False
    return True


def seen():
    # Written at most once a minute: a cookie rewritten on every request gains nothing.
    stamp = now()
    if stamp - session.get(SEEN, 0) >= 60:
        session[SEEN] = stamp


def signed_in_recently():
    minutes = current_app.config["RECENT_SIGN_IN_MINUTES"]
    return now() - session.get(CONFIRMED, 0) <= minutes * 60


def _back_to():
    """Where to come back after entering the password again: this page, or for a form, the page it was on."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = request.referrer or ""
    root = request.host_url.rstrip("/")
    if referrer.startswith(root + "/"):
        return same_site_path(referrer[len(root):])
    return None


def recent_sign_in_required(view=None, *, methods=None):
    """A sensitive action (a roster email, an export, contacts or roles): the password entered within
    RECENT_SIGN_IN_MINUTES, or the user is asked for it (and their code) and brought back.

    With `methods`, only requests of those methods are sensitive (a page whose form is).
    """
    if view is None:
        return lambda view: recent_sign_in_required(view, methods=methods)

    @wraps(view)
    def guarded(*args, **kwargs):
        sensitive = methods is None or request.method in methods
        if sensitive and current_user.is_authenticated and not signed_in_recently():
            flash(_("For this, please enter your password again."), "info")
            return redirect(url_for("accounts.confirm_sign_in", next=_back_to()))
        return view(*args, **kwargs)

    return guarded
