"""The audit log as staff read it: sentences with links, filters, pages, times in the coalition's zone.

It sits at the top, beside the dashboard: the audit package below keeps the
rows, and each feature names what its rows are about (targets.py).
"""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import get_timezone
from markupsafe import Markup, escape

from webapp.accounts import services as accounts
from webapp.activity.forms import AuditFilter
from webapp.activity.sentences import ACTION_GROUPS, SENTENCES
from webapp.activity.targets import Names
from webapp.audit.services import matching
from webapp.extensions import db
from webapp.groups import services as groups
from webapp.mailing import services as mailing
from webapp.membership import queries as membership
from webapp.paging import page_of
from webapp.permissions import staff_required
from webapp.signed_in_pages import kept_for_the_reader

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100


def _day_start(day):
    """Midnight of a date in the coalition's zone, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=get_timezone()) if day else None


@bp.route("/staff/audit")
@staff_required
@kept_for_the_reader
def index():
    users, all_groups = accounts.everyone(), groups.all_groups()
    form = AuditFilter(request.args, users, all_groups)
    if not form.validate():
        return render_template("audit/index.html", form=form, rows=[], page=None, args={}), 400
    targets = None
    if form.group.data:
        group_id = int(form.group.data)
        targets = sa.union_all(sa.select(sa.literal(f"group:{group_id}")),
                               membership.audit_targets_in_group(group_id),
                               mailing.audit_targets_in_group(group_id))
    rows, count = matching(
        actor_id=int(form.actor.data) if form.actor.data else None,
        actions=ACTION_GROUPS[form.action.data][1] if form.action.data else (),
        targets=targets, since=_day_start(form.since.data),
        until=_day_start(form.until.data + timedelta(days=1)) if form.until.data else None,
    )
    page = page_of(rows, form.page.data or 1, db.session.scalar(count), PAGE_SIZE)
    names = Names(page.items)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("audit/index.html", form=form, page=page, args=args,
                           rows=[_readable(event, names) for event in page.items])


def _readable(event, names):
    values, url = names.about(event)
    values["actor"] = names.actor(event)
    sentence = SENTENCES.get(event.action)
    try:
        text = Markup(escape(str(sentence))) % values if sentence else None
    except KeyError:  # a translation that names something this row lacks
        text = None
    if text is None:
        text = Markup("{}: <code>{}</code> {}").format(values["actor"], event.action, event.target)
    details = {k: v for k, v in (event.details or {}).items() if k in ("reason", "note")}
    return {"event": event, "sentence": text, "url": url, "details": details}
