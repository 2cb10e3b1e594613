"""Reading the outbox for the staff pages: deliveries page by page, counts by status, recent failures.

Each function is one query, so a page's data costs the same whatever the number
of deliveries; no page loads more than PAGE_SIZE of them.
"""
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, load_only

from webapp.db_types import aware_utc, utcnow
from webapp.extensions import db
from webapp.outbox.models import Delivery, DeliveryStatus, Email
from webapp.paging import page_of

PAGE_SIZE = 100

# What each status filter shows, in the order of the pages' links. "failed" takes
# in the deliveries set aside as dead: both wait for staff to look at them.
STATUS_FILTERS = {
    "failed": (DeliveryStatus.FAILED, DeliveryStatus.DEAD),
    "queued": (DeliveryStatus.QUEUED,),
    "sending": (DeliveryStatus.SENDING,),
    "sent": (DeliveryStatus.SENT,),
    "suppressed": (DeliveryStatus.SUPPRESSED,),
    "cancelled": (DeliveryStatus.CANCELLED,),
    "dead": (DeliveryStatus.DEAD,),
}


def filter_counts(counts):
    """How many deliveries each status filter shows, and "" for all of them, from counts by status."""
    totals = {key: sum(counts[s] for s in statuses) for key, statuses in STATUS_FILTERS.items()}
    return {"": sum(counts.values()), **totals}


def _matching(query, *, email_id=None, kind=None, address="", among=None):
    if among is not None:  # a SELECT of the addresses the viewer may see
        query = query.where(Delivery.address.in_(among))
    if email_id is not None:
        query = query.where(Delivery.email_id == email_id)
    if kind:
        query = query.where(Delivery.email_id.in_(sa.select(Email.id).where(Email.kind == kind)))
    if address:
        # Addresses are stored in lower case; part of one finds a domain's or a person's mail.
        query = query.where(Delivery.address.contains(address.strip().lower(), autoescape=True))
    return query


def counts_by_status(*, email_id=None, kind=None, address="", among=None):
    """{status: n} of the deliveries matching, with every status present."""
    query = _matching(sa.select(Delivery.status, sa.func.count()).group_by(Delivery.status),
                      email_id=email_id, kind=kind, address=address, among=among)
    counts = Counter({status: 0 for status in DeliveryStatus})
    counts.update(dict(db.session.execute(query).all()))
    return counts


def counts_by_email(email_ids):
    """{email id: {status: n}} for these emails, every status present, in one grouped query.

    The index on (email_id, status, address) answers it without reading a row.
    """
    counts = {email_id: Counter({status: 0 for status in DeliveryStatus}) for email_id in email_ids}
    rows = db.session.execute(
        sa.select(Delivery.email_id, Delivery.status, sa.func.count())
        .where(Delivery.email_id.in_(list(email_ids))).group_by(Delivery.email_id, Delivery.status)
    )
    for email_id, status, count in rows:
        counts[email_id][status] = count
    return counts


def _page(query, number, total):
    return page_of(query, number, total, PAGE_SIZE)


def recipients(email_id, status, number, counts, among=None):
    """A page of one email's deliveries by address, for the message page; `counts` from counts_by_status.

    `among`, a SELECT of addresses, limits the page to those (and `counts` must be limited the same way).
    """
    # populate_existing: rows this session loaded before (the worker has moved on since) are read afresh.
    query = _matching(sa.select(Delivery), email_id=email_id, among=among).order_by(Delivery.address, Delivery.id) \
        .execution_options(populate_existing=True)
    if status:
        query = query.where(Delivery.status.in_(STATUS_FILTERS[status]))
    return _page(query, number, filter_counts(counts)[status or ""])


def mail(status, kind, address, number, counts):
    """A page of every delivery, newest first, with its email's subject and kind, for the staff Mail page."""
    # By id, which the primary key keeps in order: the order they were queued in.
    query = _matching(sa.select(Delivery), kind=kind, address=address) \
        .join(Delivery.email).options(contains_eager(Delivery.email).options(load_only(Email.subject, Email.kind))) \
        .order_by(Delivery.id.desc()).execution_options(populate_existing=True)
    if status:
        query = query.where(Delivery.status.in_(STATUS_FILTERS[status]))
    return _page(query, number, filter_counts(counts)[status or ""])


def get_delivery(delivery_id):
    return db.session.get(Delivery, delivery_id)


def failed_recently(days=7):
    """How many deliveries failed or were set aside in the last `days` days.

    A failed row keeps the due time of its last attempt in next_attempt_at, which
    the index ix_delivery_due orders by status: the count reads only that range.
    """
    since = utcnow() - timedelta(days=days)
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Delivery)
        .where(Delivery.status.in_(STATUS_FILTERS["failed"]), Delivery.next_attempt_at >= since)
    )


def sending_span(email_id):
    """(first, last, how many) of the email's deliveries sent so far: when its sending began, and its pace."""
    first, last, count = db.session.execute(
        sa.select(sa.func.min(Delivery.sent_at), sa.func.max(Delivery.sent_at), sa.func.count())
        .where(Delivery.email_id == email_id, Delivery.status == DeliveryStatus.SENT)
    ).one()
    return aware_utc(first), aware_utc(last), count

