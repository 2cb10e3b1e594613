from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from webapp import permissions
from webapp.accounts.sessions import recent_sign_in_required
from webapp.bounces import scoring as bounce_scoring
from webapp.extensions import csrf, limiter
from webapp.groups import services as groups
from webapp.membership import export, queries, roster_queries, services
from webapp.membership.forms import (ROSTER_TAB_LABELS, ConfirmForm, JoinForm, RemoveForm, RosterSelection,
                                     RosterView)
from webapp.membership.models import Status
from webapp.membership.tokens import LinkExpired, LinkInvalid
from webapp.organizations import services as organizations
from webapp.outbox import services as outbox
from webapp.public_pages import public_page
from webapp.signed_in_pages import kept_for_the_reader

bp = Blueprint("membership", __name__)


def _group_or_404(slug, contacts=True):
    group = groups.by_slug(slug, contacts=contacts)
    if group is None:
        abort(404)
    return group


@bp.route("/groups/<slug>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["JOIN_RATE_LIMIT"], methods=["POST"])
@public_page  # GET only: a POST is never served from the cache
def group_page(slug):
    # An inactive group keeps its page (old links still land somewhere) but takes no requests.
    group = _group_or_404(slug, contacts=request.method == "GET")  # a join needs no contacts
    form = JoinForm()
    if group.takes_requests and form.validate_on_submit():
        slug = group.slug  # read before the commit, which expires the group
        services.request_to_join(
            group, name=form.name.data, email=form.email.data, organization_name=form.organization.data or "",
            role_title=form.role_title.data or "", note=form.note.data or "",
            language=str(get_locale()),  # their emails follow the language they asked in
        )
        return redirect(url_for("membership.check_email", slug=slug))
    status = 400 if request.method == "POST" else 200
    return render_template("membership/group.html", group=group, form=form), status


@bp.route("/groups/<slug>/requested")
def check_email(slug):
    return render_template("membership/check_email.html", group=_group_or_404(slug))


def _link_problem(kind):
    return render_template("membership/link_problem.html", kind=kind), 410 if kind != "invalid" else 404


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    # The GET only shows a button: mail scanners open links, and must not join anyone.
    try:
        membership = services.membership_for_confirmation(token)
        form = ConfirmForm()
        if form.validate_on_submit():
            membership = services.confirm_request(token)
            return render_template("membership/confirmed.html", membership=membership)
    except LinkExpired:
        return _link_problem("expired")
    except LinkInvalid:
        return _link_problem("invalid")
    except services.LinkUsed:
        return _link_problem("used")
    except services.NotTakingRequests:
        return _link_problem("closed")
    return render_template("membership/confirm.html", membership=membership, form=form)


def _reviewable_group(slug):
    group = _group_or_404(slug)
    if not permissions.can_review(current_user, group):
        abort(403)
    return group


def _membership_for_reviewer(membership_id, loader=queries.get_membership):
    membership = loader(membership_id)
    if membership is None:
        abort(404)
    if not permissions.can_review(current_user, membership.group):
        abort(403)
    return membership


def _roster_view(args):
    view = RosterView(args)
    if not view.validate():
        abort(400)
    return view


@bp.route("/groups/<slug>/roster")
@login_required
@kept_for_the_reader
def roster(slug):
    group = _reviewable_group(slug)
    view = _roster_view(request.args)
    counts = roster_queries.counts(group, view.q.data)
    page = roster_queries.page(group, total=counts[view.tab.data], **view.choices())
    return render_template("membership/roster.html", group=group, view=view, counts=counts, page=page,
                           bouncing=queries.bouncing_in(group, [m.person.email for m in page.items]),
                           selection=RosterSelection(), tab_labels=ROSTER_TAB_LABELS)


def _csv_download(group, chunks, name):
    # Streamed: the header goes at once, then each chunk of rows as it is read.
    return Response(stream_with_context(export.roster_csv(chunks)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{group.slug}-{name}.csv"'})


@bp.route("/groups/<slug>/roster.csv")
@login_required
@recent_sign_in_required
def roster_csv(slug):
    group = _reviewable_group(slug)
    view = _roster_view(request.args)
    return _csv_download(group, export.read_ahead(roster_queries.export, group, tab=view.tab.data,
                                                  search=view.q.data), "roster")


@bp.route("/groups/<slug>/roster/selected", methods=["POST"])
@login_required
@recent_sign_in_required
def roster_selected(slug):
    group = _reviewable_group(slug)
    form = RosterSelection()
    if not form.well_formed():
        abort(400)
    view = RosterView(request.form)  # the roster's tab, search, order and page, to go back to
    back = url_for("membership.roster", slug=group.slug, **(view.kept(position=True) if view.validate() else {}))
    if not form.selected.data:
        flash(_("Select at least one member."), "warning")
        return redirect(back)
    if form.export.data:
        return _csv_download(group, export.read_ahead(roster_queries.export, group, selected=form.selected.data),
                             "selected")
    if not form.confirm.data or not form.validate_on_submit():
        return _confirm_removal(group, form, back)
    removed, skipped = services.remove_many(group, form.selected.data, current_user, form.reason.data or "",
                                            tell_members=form.tell_members.data)
    flash(ngettext("%(num)d member was removed from the group.", "%(num)d members were removed from the group.",
                   removed), "success" if removed else "warning")
    if skipped:
        flash(ngettext("%(num)d was no longer active and was left as it was.",
                       "%(num)d were no longer active and were left as they were.", skipped), "warning")
    return redirect(back)


def _confirm_removal(group, form, back):
    """The page that lists the ticked members still active, and asks why and whether to tell them."""
    chosen = queries.active_among(group, form.selected.data)
    if not chosen:
        flash(_("None of the members you ticked is active; nothing was changed."), "warning")
        return redirect(back)
    view = RosterView(request.form)
    return render_template("membership/remove_many.html", group=group, form=form, memberships=chosen, back=back,
                           skipped=len(set(form.selected.data)) - len(chosen),
                           kept=view.kept(position=True) if view.validate() else {}), 400 if form.errors else 200


@bp.route("/memberships/<int:membership_id>")
@login_required
def history(membership_id):
    membership = _membership_for_reviewer(membership_id, queries.membership_with_history)
    return render_template("membership/history.html", membership=membership,
                           bouncing=bool(bounce_scoring.bouncing([membership.person.email])))


@bp.route("/memberships/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove(membership_id):
    """A page that shows who is removed and asks why; its POST removes (and, if ticked, tells them)."""
    membership = _membership_for_reviewer(membership_id)
    form = RemoveForm()
    if membership.status != Status.ACTIVE:
        flash(_("Only an active member can be removed; nothing was changed."), "warning")
        return redirect(url_for("membership.history", membership_id=membership_id))
    if form.validate_on_submit():
        try:
            services.remove(membership, current_user, form.reason.data or "", tell_member=form.tell_member.data)
            flash(_("%(name)s was removed from the group.", name=membership.person.name), "success")
        except services.IllegalTransition:
            flash(_("Only an active member can be removed; nothing was changed."), "warning")
        return redirect(url_for("membership.history", membership_id=membership_id))
    status = 400 if form.errors else 200
    return render_template("membership/remove.html", membership=membership, form=form), status


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # One-click unsubscribe comes from a mail client with no session or token (RFC 8058).
def unsubscribe(token):
    """Unsubscribing is leaving: the email's groups (one click), or every group ("stop all")."""
    link = outbox.read_unsubscribe_token(token)
    if link is None:
        abort(404)
    address, audience = link
    group_ids = services.groups_of_audience(audience)
    if request.method == "POST":
        # The one-click POST (RFC 8058) leaves the email's groups; the page's second button, all of them.
        everything = group_ids is None or request.form.get("scope") == "all"
        left = services.unsubscribe(address, None if everything else group_ids)
        return render_template("membership/unsubscribed.html", address=address, left=left)
    # A GET changes nothing: mail scanners follow links.
    active = queries.active_memberships_of_address(address)
    these = [m for m in active if group_ids is None or m.group_id in group_ids]
    return render_template("membership/unsubscribe.html", address=address, active=active, these=these)


@bp.route("/staff/organizations/<int:organization_id>/people")
@permissions.staff_required
def organization_people(organization_id):
    # Here, not in organizations/: an organization knows nothing of memberships.
    organization = organizations.get(organization_id) or abort(404)
    return render_template("membership/organization_people.html", organization=organization,
                           people=queries.people_of_organization(organization.id))
