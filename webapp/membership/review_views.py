"""The review queue: pending requests page by page, deciding one or many, and the count in the header."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from webapp import permissions
from webapp.db_types import utcnow
from webapp.form_fields import PageArgs
from webapp.groups import services as groups
from webapp.links import same_site_path
from webapp.membership import queries, review, review_queries
from webapp.membership.forms import BulkDecisionForm, DecisionForm
from webapp.membership.services import AlreadyDecided
from webapp.signed_in_pages import kept_for_the_reader

bp = Blueprint("review", __name__)


@bp.app_context_processor
def waiting_in_the_header():
    def waiting_requests():
        # Called once by the header, and only for a signed-in person: one count per page.
        return review_queries.waiting_for(current_user) if current_user.is_authenticated else 0

    return {"waiting_requests": waiting_requests}


@bp.app_template_filter("waiting")
def waiting(since):
    """How long a request has waited, in whole days: "waiting 3 days"."""
    days = (utcnow() - since).days
    if days < 1:
        return _("waiting less than a day")
    return ngettext("waiting %(num)d day", "waiting %(num)d days", days)


def _page_number():
    args = PageArgs(request.args)
    if not args.validate():
        abort(400)
    return args.number()


def _queue(groups_shown, group, endpoint, args):
    page = review_queries.queue(groups_shown, _page_number())
    here = url_for(endpoint, **args, page=page.number if page.number > 1 else None)
    return render_template("membership/review.html", group=group, page=page, endpoint=endpoint, args=args,
                           here=here, form=DecisionForm(), bulk=BulkDecisionForm(formdata=None))


@bp.route("/review")
@login_required
@kept_for_the_reader
def review_all():
    return _queue(groups.groups_looked_after_by(current_user), None, "review.review_all", {})


@bp.route("/groups/<slug>/review")
@login_required
@kept_for_the_reader
def group(slug):
    group = groups.by_slug(slug) or abort(404)
    if not permissions.can_review(current_user, group):
        abort(403)
    return _queue([group], group, "review.group", {"slug": group.slug})


def _flash_errors(form):
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


@bp.route("/memberships/<int:membership_id>/decide", methods=["POST"])
@login_required
def decide(membership_id):
    membership = queries.get_membership(membership_id) or abort(404)
    if not permissions.can_review(current_user, membership.group):
        abort(403)
    form = DecisionForm()
    if form.decision() is None:
        abort(400)
    back = same_site_path(form.next.data) or url_for("review.group", slug=membership.group.slug)
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(back)
    name = membership.person.name
    try:
        review.decide(current_user, membership, form.decision(), form.reason.data or "")
    except AlreadyDecided:
        flash(_("The request from %(name)s was already decided; nothing was changed and no email was sent.",
                name=name), "warning")
    else:
        done = {"approve": _("%(name)s is now a member.", name=name),
                "decline": _("You declined the request from %(name)s.", name=name),
                "spam": _("The request from %(name)s was discarded as spam.", name=name)}
        flash(done[form.decision()], "success")
    return redirect(back)


DECIDED = {
    "approve": lambda n: ngettext("%(num)d request approved.", "%(num)d requests approved.", n),
    "decline": lambda n: ngettext("%(num)d request declined.", "%(num)d requests declined.", n),
    "spam": lambda n: ngettext("%(num)d request discarded as spam.", "%(num)d requests discarded as spam.", n),
}


@bp.route("/review/decide", methods=["POST"])
@login_required
def decide_many():
    form = BulkDecisionForm()
    if not form.well_formed(review.MOST_AT_ONCE):
        abort(400)
    back = same_site_path(form.next.data) or url_for("review.review_all")
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(back)
    try:
        outcome = review.decide_many(current_user, form.ids.data, form.decision(), form.reason.data or "")
    except review.NotAllowed:
        abort(403)
    if outcome.decided:
        flash(DECIDED[form.decision()](len(outcome.decided)), "success")
    if outcome.already:
        flash(ngettext("%(num)d had been decided already by someone else: nothing changed for it and no email was "
                       "sent.", "%(num)d had been decided already by someone else: nothing changed for them and no "
                       "email was sent.", len(outcome.already)), "warning")
    return redirect(back)
