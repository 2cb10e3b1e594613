"""Generations: numbers that move on when a commit writes to the database, so that what was worked out from
the data before is no longer found in the cache.

- `MEMBERSHIPS` moves on when a commit writes to `membership`, `membership_event` or `person` (a person's
  removal takes their memberships): the figures read from every membership (count_cache.py).
- `DATA` moves on when a commit writes to any table: the signed-in pages (signed_in_pages.py).
- `PUBLIC` moves on when a commit changes what the public pages show (public_pages.py says what).

A write is seen whether it came through the ORM, a statement (a guarded UPDATE, an import's INSERT, a
purge's DELETE) or SQL text. A generation moves on after the commit, never before: a page worked out while
the commit was under way is kept under the old number, which nobody asks for any more.

SimpleCache lives in each process: a generation is then the time written on a stamp file in the instance
folder, which every process of the host reads (one stat). With RedisCache it is a key in Redis, shared by
every host.
"""
import os
import re
import time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from webapp.extensions import cache, database_key

MEMBERSHIPS = "membership"
DATA = "data"
PUBLIC = "public"
_MEMBERSHIP_TABLES = {"membership", "membership_event", "person"}
_WRITE_TEXT = re.compile(r"^\s*(WITH\b.*)?\b(INSERT|UPDATE|DELETE)\b", re.I | re.S)
_MEMBERSHIP_TEXT = re.compile(r"\b(INSERT|UPDATE|DELETE)\b.*\b(membership|membership_event|person)\b", re.I | re.S)
_WRITTEN = "generations_written"  # in session.info: the generations its transaction's writes move on


def _stamp_path(name):
    return Path(current_app.instance_path) / f"{name}-generation-{database_key()}.stamp"


def _shared():
    return current_app.config["CACHE_TYPE"] not in ("SimpleCache", "NullCache")


def current(name):
    """The generation's number now."""
    if _shared():
        return cache.get(f"generation:{name}") or 0
    try:
        return os.stat(_stamp_path(name)).st_mtime_ns
    except FileNotFoundError:
        return 0


def move_on(name):
    if _shared():
        cache.set(f"generation:{name}", time.time_ns(), timeout=0)
        return
    path = _stamp_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)  # instance/ may not exist yet (a fresh clone, a wiped one)
    path.touch()
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def moves_on_at_commit(session, name):
    """The generation `name` moves on when this session's transaction commits (not if it rolls back)."""
    session.info.setdefault(_WRITTEN, set()).add(name)


def _mark(session, tables):
    moves_on_at_commit(session, DATA)
    if tables & _MEMBERSHIP_TABLES:
        moves_on_at_commit(session, MEMBERSHIPS)


def _note_statement(orm_execute_state):
    statement = orm_execute_state.statement
    if isinstance(statement, sa.TextClause):
        if _WRITE_TEXT.search(statement.text):
            _mark(orm_execute_state.session,
                  _MEMBERSHIP_TABLES if _MEMBERSHIP_TEXT.search(statement.text) else set())
    elif orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        table = getattr(statement, "table", None)
        _mark(orm_execute_state.session, {getattr(table, "name", None)})


def _note_flush(session, flush_context, instances):
    changed = [*session.new, *session.deleted, *(obj for obj in session.dirty if session.is_modified(obj))]
    if changed:
        _mark(session, {getattr(obj, "__tablename__", None) for obj in changed})


def _after_commit(session):
    written = session.info.pop(_WRITTEN, ())
    if written and has_app_context():
        for name in written:
            move_on(name)


def _after_rollback(session, previous_transaction):
    session.info.pop(_WRITTEN, None)


def init_app(app):
    if not sa.event.contains(Session, "before_flush", _note_flush):
        sa.event.listen(Session, "do_orm_execute", _note_statement)
        sa.event.listen(Session, "before_flush", _note_flush)
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_rollback)
