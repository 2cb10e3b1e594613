"""Reading the suppression list, the blocks and the bounces for the staff pages.

Each function is one query, so a page's data costs the same whatever the number
of rows; no page loads more than PAGE_SIZE of them, nor any bounce's raw bytes
but the one shown.
"""
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import defer

from webapp.bounces.models import Bounce, BounceKind, BounceScore
from webapp.extensions import db
from webapp.outbox.models import Suppression
from webapp.outbox.queries import PAGE_SIZE
from webapp.paging import page_of


def _containing(query, column, address):
    # Addresses are stored in lower case; part of one finds a domain's or a person's rows.
    if address:
        query = query.where(column.contains(address.strip().lower(), autoescape=True))
    return query


def _page(query, number, total):
    return page_of(query, number, total, PAGE_SIZE, rows=True)


def count_suppressions(address=""):
    return db.session.scalar(_containing(sa.select(sa.func.count()).select_from(Suppression),
                                         Suppression.address, address))


def suppressions(address, number, total):
    """A page of (Suppression, BounceScore or None), newest first; `total` from count_suppressions."""
    query = sa.select(Suppression, BounceScore) \
        .outerjoin(BounceScore, BounceScore.address == Suppression.address) \
        .order_by(Suppression.id.desc())
    return _page(_containing(query, Suppression.address, address), number, total)


def get_suppression(suppression_id):
    return db.session.get(Suppression, suppression_id)


def counts_by_kind(address=""):
    """{kind: n} of the bounces matching, with every kind present."""
    query = sa.select(Bounce.kind, sa.func.count()).group_by(Bounce.kind)
    counts = Counter({kind.value: 0 for kind in BounceKind})
    counts.update({kind.value: n for kind, n in db.session.execute(_containing(query, Bounce.address, address))})
    return counts


def kind_tabs(counts):
    """How many bounces each kind filter shows, "" being all of them, from counts_by_kind."""
    return {"": sum(counts.values()), **{kind.value: counts[kind.value] for kind in BounceKind}}


def bounces(kind, address, number, counts):
    """A page of bounces, newest first, without their raw bytes; `counts` from counts_by_kind."""
    query = sa.select(Bounce).options(defer(Bounce.raw)).order_by(Bounce.id.desc())
    if kind:
        query = query.where(Bounce.kind == kind)
    page = _page(_containing(query, Bounce.address, address), number, kind_tabs(counts)[kind or ""])
    page.items = [bounce for (bounce,) in page.items]
    return page


def get_bounce(bounce_id):
    return db.session.get(Bounce, bounce_id)
