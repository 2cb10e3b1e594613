"""What the dashboard shows a user: their groups' figures and the charts, gathered from each feature.

A fixed number of queries whatever the number of memberships, deliveries or
groups: each figure is aggregated by the database (see membership.figures).
The membership figures read every membership of the groups (at 100,000, tens
of milliseconds), so they are kept until a membership changes, and for an hour
at most (the last 30 days and the last 12 months move on with the clock).
"""
from dataclasses import dataclass

from flask_babel import gettext as _

from webapp.dashboard import charts
from webapp.groups import services as groups
from webapp.mailing import services as mailing
from webapp.db_types import utcnow
from webapp.membership import count_cache, figures
from webapp.outbox.models import DeliveryStatus as S
from webapp.outbox import queries as outbox_queries
from webapp.permissions import is_staff

MONTHS = 12
MESSAGES = 10


@dataclass
class Chart:
    """One chart: its image, its text alternative, and the table of its numbers (headings, rows)."""

    title: str
    image: str
    description: str
    headings: list
    rows: list


def overview(user):
    """The groups this user looks after with their figures, the staff's failed mail count, and three charts."""
    mine = groups.groups_looked_after_by(user)
    by_group = _kept("group-figures", mine, lambda: figures.group_figures([g.id for g in mine]))
    return {
        "groups": [(g, by_group[g.id]) for g in mine],
        "failed_mail": outbox_queries.failed_recently(days=7) if is_staff(user) else None,
        "charts": [_members_chart(mine, by_group), _decisions_chart(mine), _outcomes_chart(user)] if mine else [],
    }


def _kept(name, groups, compute):
    """A membership figure of these groups, kept until a membership changes or the hour ends."""
    return count_cache.kept(f"dashboard:{name}:{utcnow():%Y%m%d%H}:{','.join(str(g.id) for g in groups)}", compute)


def _members_chart(mine, by_group):
    months = figures.last_months(MONTHS)
    series = _kept("members-over-time", mine, lambda: figures.members_over_time(
        {g.id: by_group[g.id].active for g in mine}, MONTHS))
    named = {g.name: series[g.id] for g in mine}
    first, last = months[0], months[-1]
    description = _("Active members at the end of each month, from %(first)s to %(last)s: ", first=first,
                    last=last) + "; ".join(
        _("%(group)s from %(start)d to %(end)d", group=name, start=counts[0], end=counts[-1])
        for name, counts in named.items()) + "."
    return Chart(
        title=_("Members over time"), image=charts.members_over_time(months, named), description=description,
        headings=[_("Month")] + list(named), rows=[[m] + [named[n][i] for n in named] for i, m in enumerate(months)],
    )


def _decisions_chart(mine):
    times = _kept("decision-times", mine, lambda: figures.decision_times([g.id for g in mine], MONTHS))
    months = [t.month for t in times]
    median_label, p90_label = _("Median (hours)"), _("90th percentile (hours)")
    decided = [t for t in times if t.decided]
    if decided:
        latest = decided[-1]
        description = _("Hours from a request to its decision, per month. In %(month)s, %(num)d requests were "
                        "decided: half within %(median)s hours, nine in ten within %(p90)s hours.",
                        month=latest.month, num=latest.decided, median=latest.median_hours, p90=latest.p90_hours)
    else:
        description = _("No request was decided in the last 12 months.")
    return Chart(
        title=_("Time from request to decision"),
        image=charts.decision_times(months, [t.median_hours if t.decided else None for t in times],
                                    [t.p90_hours if t.decided else None for t in times], median_label, p90_label),
        description=description, headings=[_("Month"), _("Requests decided"), median_label, p90_label],
        rows=[[t.month, t.decided, t.median_hours if t.decided else "–", t.p90_hours if t.decided else "–"]
              for t in times],
    )


def _outcomes_chart(user):
    outcomes = mailing.recent_outcomes(user, MESSAGES)
    kinds = {
        _("Sent"): (S.SENT,), _("Waiting"): (S.QUEUED, S.SENDING), _("Failed"): (S.FAILED, S.DEAD),
        _("Bouncing or blocked"): (S.SUPPRESSED,), _("Left or unsubscribed, or cancelled"): (S.CANCELLED,),
    }
    series = {name: [sum(counts[s] for s in statuses) for _m, counts in outcomes] for name, statuses in kinds.items()}
    labels = [m.subject for m, _counts in outcomes]
    if outcomes:
        totals = {name: sum(values) for name, values in series.items()}
        description = _("Delivery outcomes of the last %(num)d messages: ", num=len(outcomes)) + "; ".join(
            f"{name}: {total}" for name, total in totals.items()) + "."
    else:
        description = _("No message has been sent yet.")
    return Chart(
        title=_("Delivery of the last messages"), image=charts.delivery_outcomes(labels, series),
        description=description, headings=[_("Message")] + list(kinds),
        rows=[[m.subject] + [series[name][i] for name in kinds] for i, (m, _c) in enumerate(outcomes)],
    )
