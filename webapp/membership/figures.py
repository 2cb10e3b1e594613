"""The dashboard's figures about membership, each aggregated by the database in one query.

Each reads an index range and hands back a few rows per group or per month, so
its cost follows what it counts (the active members, the pending requests, the
history of the months shown), never a row per membership in Python. Months are
calendar months in the coalition's zone (TIME_ZONE), as every date on its pages.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from webapp.db_types import aware_utc, utcnow
from webapp.extensions import db
from webapp.membership.models import Membership, MembershipEvent, Status

LEAVING = (Status.LEFT, Status.REMOVED)


@dataclass
class GroupFigures:
    """One group's numbers on the dashboard."""

    active: int = 0
    waiting: int = 0
    oldest_waiting_since: datetime | None = None
    joined: int = 0  # in the last `days` days
    left: int = 0  # left or removed, in the last `days` days


def _dialect():
    return db.session.get_bind().dialect.name


def _month(column, months):
    """'YYYY-MM' of a timestamp in the coalition's zone, in SQL, for a timestamp within `months`.

    SQLite knows no zones, so both engines get the same CASE over the months' first instants.
    """
    starts = [_month_start(m) for m in months]
    return sa.case(*[(column < start, label) for label, start in zip(months, starts[1:])], else_=months[-1])


def _month_start(month):
    """The first instant of a 'YYYY-MM' month in the coalition's zone."""
    return datetime.fromisoformat(month + "-01").replace(tzinfo=ZoneInfo(current_app.config["TIME_ZONE"]))


def _seconds_between(start, end):
    if _dialect() == "postgresql":
        return sa.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


def group_figures(group_ids, days=30):
    """{group id: GroupFigures} for these groups: three grouped queries, each on an index."""
    group_ids = list(group_ids)
    figures = {group_id: GroupFigures() for group_id in group_ids}
    if not group_ids:
        return figures
    for group_id, active in db.session.execute(
            sa.select(Membership.group_id, sa.func.count())
            .where(Membership.group_id.in_(group_ids), Membership.status == Status.ACTIVE)
            .group_by(Membership.group_id)):
        figures[group_id].active = active
    for group_id, waiting, oldest in db.session.execute(
            sa.select(Membership.group_id, sa.func.count(), sa.func.min(Membership.status_changed_at))
            .where(Membership.status == Status.PENDING, Membership.group_id.in_(group_ids))
            .group_by(Membership.group_id)):
        figures[group_id].waiting = waiting
        figures[group_id].oldest_waiting_since = aware_utc(oldest)
    since = utcnow() - timedelta(days=days)
    joined = sa.func.sum(sa.case((MembershipEvent.to_status == Status.ACTIVE, 1), else_=0))
    left = sa.func.sum(sa.case(((MembershipEvent.from_status == Status.ACTIVE)
                                & MembershipEvent.to_status.in_(LEAVING), 1), else_=0))
    for group_id, joins, leaves in db.session.execute(
            sa.select(Membership.group_id, joined, left).join(MembershipEvent.membership)
            .where(MembershipEvent.created_at >= since, Membership.group_id.in_(group_ids))
            .group_by(Membership.group_id)):
        figures[group_id].joined, figures[group_id].left = int(joins or 0), int(leaves or 0)
    return figures


def last_months(count, now=None):
    """The last `count` months in the coalition's zone as 'YYYY-MM', oldest first, this month last."""
    now = (now or utcnow()).astimezone(ZoneInfo(current_app.config["TIME_ZONE"]))
    year, month = now.year, now.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def members_over_time(active_now, months=12):
    """{group id: [active members at the end of each month]} for the last `months` months, oldest first.

    `active_now` is {group id: active members today} (GroupFigures.active).

    The database sums each month's joins minus leaves from the history; the
    counts are then read back from today's count of active members, so a
    history that begins later (rows brought in before it was kept) still ends
    on the true number.
    """
    shown = last_months(months)
    first = _month_start(shown[0])
    month = _month(MembershipEvent.created_at, shown)
    change = sa.func.sum(sa.case((MembershipEvent.to_status == Status.ACTIVE, 1),
                                 (MembershipEvent.from_status == Status.ACTIVE, -1), else_=0))
    rows = db.session.execute(
        sa.select(Membership.group_id, month, change).join(MembershipEvent.membership)
        .where(MembershipEvent.created_at >= first, Membership.group_id.in_(list(active_now)))
        .group_by(Membership.group_id, month)
    ).all()
    changes = {(group_id, m): int(total or 0) for group_id, m, total in rows}
    series = {}
    for group_id, count in active_now.items():
        counts = []
        for m in reversed(shown):
            counts.append(count)
            count -= changes.get((group_id, m), 0)
        series[group_id] = counts[::-1]
    return series


@dataclass
class DecisionTimes:
    """How long the requests decided in one month waited, in hours."""

    month: str
    decided: int
    median_hours: float
    p90_hours: float


def decision_times(group_ids, months=12):
    """The time from request (confirmed, pending) to decision, per month of the decision: median and 90th
    percentile, by nearest rank, computed by the database with window functions, one row per month."""
    shown = last_months(months)
    first = _month_start(shown[0])
    decision = sa.orm.aliased(MembershipEvent)
    asked = sa.orm.aliased(MembershipEvent)
    # When the request being decided became pending: the latest such row before the decision.
    asked_at = (sa.select(sa.func.max(asked.created_at))
                .where(asked.membership_id == decision.membership_id, asked.to_status == Status.PENDING,
                       asked.created_at <= decision.created_at)
                .scalar_subquery())
    waited = (
        sa.select(_month(decision.created_at, shown).label("month"),
                  _seconds_between(asked_at, decision.created_at).label("seconds"))
        .join(Membership, Membership.id == decision.membership_id)
        .where(decision.created_at >= first, decision.from_status == Status.PENDING,
               decision.to_status.in_((Status.ACTIVE, Status.DECLINED)), Membership.group_id.in_(list(group_ids)))
        .subquery()
    )
    ranked = sa.select(
        waited.c.month, waited.c.seconds,
        sa.func.row_number().over(partition_by=waited.c.month, order_by=waited.c.seconds).label("rank"),
        sa.func.count().over(partition_by=waited.c.month).label("n"),
    ).where(waited.c.seconds.is_not(None)).subquery()
    # Nearest rank: the smallest rank r with r >= p * n, i.e. r = ceil(p * n), written in integers.
    at_median = (ranked.c.rank * 2 >= ranked.c.n) & ((ranked.c.rank - 1) * 2 < ranked.c.n)
    at_p90 = (ranked.c.rank * 10 >= ranked.c.n * 9) & ((ranked.c.rank - 1) * 10 < ranked.c.n * 9)
    rows = db.session.execute(
        sa.select(ranked.c.month, sa.func.max(ranked.c.n),
                  sa.func.max(sa.case((at_median, ranked.c.seconds))),
                  sa.func.max(sa.case((at_p90, ranked.c.seconds))))
        .where(at_median | at_p90).group_by(ranked.c.month)
    ).all()
    found = {month: (n, median, p90) for month, n, median, p90 in rows}
    return [DecisionTimes(month=m, decided=found[m][0], median_hours=round(float(found[m][1]) / 3600, 1),
                          p90_hours=round(float(found[m][2]) / 3600, 1)) if m in found
            else DecisionTimes(month=m, decided=0, median_hours=0.0, p90_hours=0.0) for m in shown]
