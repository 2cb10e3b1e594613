"""Addresses that may not ask to join: the app's own, and those staff block.

A block is an address (`ana@example.com`), a domain with its subdomains
(`example.com`), exactly one domain (`@example.com`), or a pattern with `*` and
`?` (`*@*.example.com`, `spam*@example.org`). Matching is case-insensitive.
"""
import fnmatch
from email.utils import parseaddr

import sqlalchemy as sa
from flask import current_app

from webapp.bounces import verp
from webapp.db_types import insert_for, utcnow
from webapp.extensions import db
from webapp.outbox.models import Block
from webapp.outbox.services import normalize_address


def is_own_address(address):
    """The From of our emails, the bounce address, or any VERP form of it."""
    address = normalize_address(address)
    sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1].lower()
    return address == sender or verp.is_bounce_address(address)


def matches(pattern, address):
    pattern, address = pattern.strip().lower(), normalize_address(address)
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(address, pattern)
    if pattern.startswith("@"):
        return address.endswith(pattern)
    if "@" not in pattern:
        domain = address.rpartition("@")[2]
        return domain == pattern or domain.endswith("." + pattern)
    return address == pattern


def is_blocked(address):
    """Whether any staff block covers this address. Blocks are few: they are matched here, not in SQL."""
    return any(matches(pattern, address) for pattern in db.session.scalars(sa.select(Block.pattern)))


def add(pattern, note=""):
    """Block a pattern (idempotent); returns the normalized pattern."""
    pattern = pattern.strip().lower()
    db.session.execute(insert_for(db.engine)(Block).values(pattern=pattern, note=note[:300], created_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["pattern"]))
    return pattern


def remove(block_id):
    """Lift a block; returns its pattern, or None if there was none."""
    block = db.session.get(Block, block_id)
    if block is None:
        return None
    db.session.delete(block)
    return block.pattern


def all_blocks():
    return db.session.scalars(sa.select(Block).order_by(Block.pattern)).all()
