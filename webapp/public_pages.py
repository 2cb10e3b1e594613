"""The public pages (home, working groups, member organizations, a group's page), rendered once per language.

A visitor who is not signed in and has no message waiting gets the page kept in
the cache (Flask-Caching: SimpleCache in each process by default, RedisCache
shared when CACHE_TYPE says so). Every page carries CSRF tokens (the language
switch, the join form) which belong to one visitor's session: the kept copy
holds a mark in their place, and each visitor's own token is put in as the page
is sent.

A commit that changes what these pages show (a working group, its contacts, an
organization, a contact's name) empties the cache. SimpleCache lives in one
process: the others learn of the change from a stamp file in the instance
folder, looked at (one stat) before each cached page is served.
"""
import os
import time
from functools import wraps
from pathlib import Path

import sqlalchemy as sa
from flask import Response, current_app, has_app_context, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session

from webapp.extensions import cache, database_key

# Where each visitor's CSRF token goes: a private-use character nobody types, around a word.
TOKEN_MARK = "\ue000csrf-token\ue000"
_CHANGED = "public_pages_changed"
_SEEN = "public_pages_stamp"  # in app.extensions: the stamp this app's cache was last emptied for


def public_page(view):
    """Serve the view's page from the cache when it is the same for every visitor."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _same_for_everyone():
            return view(*args, **kwargs)
        _follow_other_processes()
        key = f"{get_locale()}:{request.path}"
        page = cache.get(key)
        if page is not None:
            return Response(page.replace(TOKEN_MARK, generate_csrf()), mimetype="text/html")
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            cache.set(key, response.get_data(as_text=True).replace(generate_csrf(), TOKEN_MARK))
        return response

    return wrapper


def _same_for_everyone():
    return (request.method == "GET" and set(request.args) <= {"lang"} and not current_user.is_authenticated
            and "_flashes" not in session and current_app.config["CACHE_TYPE"] != "NullCache")


def _stamp_path():
    return Path(current_app.instance_path) / f"public-pages-{database_key()}.stamp"


def _follow_other_processes():
    if current_app.config["CACHE_TYPE"] != "SimpleCache":
        return  # a shared cache is emptied for everyone at once
    try:
        stamp = os.stat(_stamp_path()).st_mtime_ns
    except FileNotFoundError:
        stamp = 0
    seen = current_app.extensions.get(_SEEN)
    if stamp != seen:
        if seen is not None:
            cache.clear()
        current_app.extensions[_SEEN] = stamp


def forget_all():
    """Empty the cache here, and tell the other processes to."""
    cache.clear()
    if current_app.config["CACHE_TYPE"] == "SimpleCache":
        path = _stamp_path()
        path.parent.mkdir(parents=True, exist_ok=True)  # instance/ may not exist yet (a fresh clone, a wiped one)
        path.touch()
        now = time.time_ns()
        os.utime(path, ns=(now, now))
        current_app.extensions[_SEEN] = os.stat(path).st_mtime_ns


# -- what changes them ----------------------------------------------------------

def _shown_publicly(obj):
    from webapp.accounts.models import User
    from webapp.groups.models import GroupContact, WorkingGroup
    from webapp.organizations.models import Organization

    if isinstance(obj, (WorkingGroup, GroupContact, Organization)):
        return True
    if isinstance(obj, User):  # a contact's name is on the pages; a login time is not
        state = sa.inspect(obj)
        return any(state.attrs[name].history.has_changes() for name in ("name", "active"))
    return False


def _note_changes(session, flush_context, instances):
    if any(_shown_publicly(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


def _after_commit(session):
    if session.info.pop(_CHANGED, False) and has_app_context():
        forget_all()


def _after_rollback(session, previous_transaction):
    session.info.pop(_CHANGED, None)


def init_app(app):
    cache.init_app(app)
    if not sa.event.contains(Session, "before_flush", _note_changes):
        sa.event.listen(Session, "before_flush", _note_changes)
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_rollback)
