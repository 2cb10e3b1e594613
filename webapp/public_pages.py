"""The public pages (home, working groups, member organizations, a group's page), rendered once per language.

A visitor who is not signed in and has no message waiting gets the page kept in
the cache (Flask-Caching: SimpleCache in each process by default, RedisCache
shared when CACHE_TYPE says so). Every page carries CSRF tokens (the language
switch, the join form) which belong to one visitor's session: the kept copy
holds a mark in their place, and each visitor's own token is put in as the page
is sent.

Pages are kept under the public generation (webapp/generations.py), which a
commit that changes what these pages show (a working group, its contacts, an
organization, a contact's name) moves on, for every process of the host and,
through Redis, every host.
"""
from functools import wraps

import sqlalchemy as sa
from flask import Response, current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session

from webapp import generations
from webapp.extensions import cache

# Where each visitor's CSRF token goes: a private-use character nobody types, around a word.
TOKEN_MARK = "\ue000csrf-token\ue000"


def public_page(view):
    """Serve the view's page from the cache when it is the same for every visitor."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _same_for_everyone():
            return view(*args, **kwargs)
        key = f"public:{get_locale()}:{request.path}:{generations.current(generations.PUBLIC)}"
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
        generations.moves_on_at_commit(session, generations.PUBLIC)


def init_app(app):
    cache.init_app(app)
    if not sa.event.contains(Session, "before_flush", _note_changes):
        sa.event.listen(Session, "before_flush", _note_changes)
