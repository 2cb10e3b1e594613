"""The signed-in list pages (review, roster, messages, the dashboard, staff's lists), kept for their reader
until the data changes.

A contact opens the review queue or a roster again and again, and most of the
time nothing has changed in between. Each page is kept (Flask-Caching, like the
public pages) under a key made of:

- who reads it (their account and its session version: what they may see),
- the language and the whole address, query included,
- the data's generation, which every commit writing to any table moves on
  (webapp/generations.py): an approval, a send's progress, an import, an erase,
  from this process or another one,
- and the minute: a page saying "waiting 3 hours" or "sent 5 minutes ago" is
  never more than a minute behind the clock.

A kept page holds a mark in place of the reader's CSRF tokens; their own are
put in as it is sent. A page is not kept, nor served from the cache, when the
reader has a message waiting (it would be shown once, then lost) or when the
view sets headers of its own (the progress page's Refresh) or changes the
session. Entries live a minute: a roster that was erased from is gone from the
cache within that minute, in Redis too. `KEEP_SIGNED_IN_PAGES=false` turns this
off (the pages are then made afresh for every request).
"""
import time
from functools import wraps

from flask import Response, current_app, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp import generations
from webapp.extensions import cache
from webapp.public_pages import TOKEN_MARK

KEPT_SECONDS = 60
_PLAIN_HEADERS = {"Content-Type", "Content-Length"}


def kept_for_the_reader(view):
    """Serve a signed-in GET page from the cache while nothing has been written since it was made."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _keepable():
            return view(*args, **kwargs)
        key = _key()  # read before the view: a commit during it moves the generation past this key
        page = cache.get(key)
        if page is not None:
            return Response(page.replace(TOKEN_MARK, generate_csrf()), mimetype="text/html")
        token = generate_csrf()
        before = dict(session)
        response = make_response(view(*args, **kwargs))
        if _plain(response) and dict(session) == before:
            cache.set(key, response.get_data(as_text=True).replace(token, TOKEN_MARK), timeout=KEPT_SECONDS)
        return response

    return wrapper


def _keepable():
    return (request.method == "GET" and current_user.is_authenticated and "_flashes" not in session
            and current_app.config["KEEP_SIGNED_IN_PAGES"] and current_app.config["CACHE_TYPE"] != "NullCache")


def _key():
    return (f"signed-in:{current_user.id}:{current_user.session_version}:{get_locale()}:{request.full_path}:"
            f"{generations.current(generations.DATA)}:{minute()}")


def minute():
    """The clock's minute: a kept page is never more than one behind."""
    return int(time.time()) // KEPT_SECONDS


def _plain(response):
    return (response.status_code == 200 and response.mimetype == "text/html" and not response.is_streamed
            and set(response.headers.keys()) <= _PLAIN_HEADERS)
