"""Figures read from every membership, kept in the cache until a membership changes.

Counting a group's memberships by status reads all of them (in an index): the
one part of a roster page whose cost grew with the roster; the dashboard's
figures read them all too. They are kept (Flask-Caching) under a generation
that every commit writing to `membership`, `membership_event` or `person` (a
person's removal takes their memberships) moves on, whether the write came
through the ORM, a statement (a guarded UPDATE, an import's INSERT, a purge's
DELETE) or SQL text naming one of those tables. SimpleCache lives in each process: the generation
is then the time written on a stamp file in the instance folder, which every
process of the host reads (one stat); with RedisCache it is a key in Redis.
"""
import os
import re
import time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from webapp.extensions import cache, database_key

_TABLES = {"membership", "membership_event", "person"}
_WRITE_TEXT = re.compile(r"\b(INSERT|UPDATE|DELETE)\b.*\b(membership|membership_event|person)\b", re.I | re.S)
_CHANGED = "membership_counts_changed"
_GENERATION = "membership-generation"


def _stamp_path():
    return Path(current_app.instance_path) / f"membership-counts-{database_key()}.stamp"


def _shared():
    return current_app.config["CACHE_TYPE"] not in ("SimpleCache", "NullCache")


def generation():
    if _shared():
        return cache.get(_GENERATION) or 0
    try:
        return os.stat(_stamp_path()).st_mtime_ns
    except FileNotFoundError:
        return 0


def _move_on():
    if _shared():
        cache.set(_GENERATION, time.time_ns(), timeout=0)
        return
    path = _stamp_path()
    path.touch()
    now = time.time_ns()
    os.utime(path, ns=(now, now))


def kept(key, compute):
    """A figure read from the memberships: from the cache, or `compute()`d and kept until a membership changes."""
    key = f"{key}:{generation()}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found)
    return found


def status_counts(group_id, count):
    """{status: n} of the group, from the cache or from `count()` (then kept)."""
    return kept(f"roster-counts:{group_id}", count)


def _tables_of(statement):
    table = getattr(statement, "table", None)
    return {getattr(table, "name", None)}


def _note_statement(orm_execute_state):
    statement = orm_execute_state.statement
    if isinstance(statement, sa.TextClause):
        written = bool(_WRITE_TEXT.search(statement.text))
    else:
        written = (orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete) \
            and bool(_tables_of(statement) & _TABLES)
    if written:
        orm_execute_state.session.info[_CHANGED] = True


def _note_flush(session, flush_context, instances):
    if any(getattr(obj, "__tablename__", None) in _TABLES for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


def _after_commit(session):
    if session.info.pop(_CHANGED, False) and has_app_context():
        _move_on()


def _after_rollback(session, previous_transaction):
    session.info.pop(_CHANGED, None)


def init_app(app):
    if not sa.event.contains(Session, "before_flush", _note_flush):
        sa.event.listen(Session, "do_orm_execute", _note_statement)
        sa.event.listen(Session, "before_flush", _note_flush)
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_rollback)
