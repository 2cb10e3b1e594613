"""The staff pages of what bounced and what is stopped: suppressions, blocks, and every bounce as it came."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.bounces import queries, staff
from webapp.bounces.forms import KIND_LABELS, BlockForm, BounceFilter, SuppressionFilter
from webapp.outbox import blocks
from webapp.permissions import staff_required
from webapp.signed_in_pages import kept_for_the_reader

bp = Blueprint("bounces", __name__, url_prefix="/staff")


def _suppressions_page(block_form, status=200):
    form = SuppressionFilter(request.args)
    if not form.validate():
        abort(400)
    total = queries.count_suppressions(form.address.data)
    page = queries.suppressions(form.address.data, form.chosen_page(), total)
    kept = {"address": form.address.data} if form.address.data else {}
    return render_template("bounces/suppressions.html", form=form, page=page, kept=kept,
                           block_form=block_form, blocks=blocks.all_blocks()), status


@bp.route("/suppressions")
@staff_required
@kept_for_the_reader
def suppressions():
    return _suppressions_page(BlockForm())


@bp.route("/suppressions/<int:suppression_id>/lift", methods=["POST"])
@staff_required
def lift(suppression_id):
    # The CSRF token is checked for every POST by CSRFProtect, before this runs.
    suppression = queries.get_suppression(suppression_id)
    if suppression is None:  # lifted already, in another tab say
        flash(_("That address is no longer suppressed."), "error")
        return redirect(url_for("bounces.suppressions"))
    address = suppression.address
    try:
        staff.lift(address, actor=current_user)
    except staff.NotSuppressed:
        flash(_("%(address)s is no longer suppressed.", address=address), "error")
    else:
        flash(_("%(address)s gets roster mail again; its bounce score starts from zero.", address=address),
              "success")
    return redirect(url_for("bounces.suppressions"))


@bp.route("/blocks", methods=["POST"])
@staff_required
def block():
    form = BlockForm()
    if not form.validate_on_submit():
        return _suppressions_page(form, status=400)
    pattern = staff.block(form.pattern.data, form.note.data or "", actor=current_user)  # a form without the field
    flash(_("%(pattern)s is blocked.", pattern=pattern), "success")
    return redirect(url_for("bounces.suppressions"))


@bp.route("/blocks/<int:block_id>/remove", methods=["POST"])
@staff_required
def unblock(block_id):
    pattern = staff.unblock(block_id, actor=current_user)
    if pattern is None:  # removed already, in another tab say
        flash(_("That block was removed already."), "error")
    else:
        flash(_("%(pattern)s is no longer blocked.", pattern=pattern), "success")
    return redirect(url_for("bounces.suppressions"))


@bp.route("/bounces")
@staff_required
def bounces():
    form = BounceFilter(request.args)
    if not form.validate():
        abort(400)
    counts = queries.counts_by_kind(form.address.data)
    page = queries.bounces(form.kind.data, form.address.data, form.chosen_page(), counts)
    kept = {"address": form.address.data} if form.address.data else {}
    return render_template("bounces/bounces.html", form=form, page=page, kept=kept,
                           tabs=queries.kind_tabs(counts), kind_labels=KIND_LABELS)


@bp.route("/bounces/<int:bounce_id>")
@staff_required
def bounce(bounce_id):
    bounce = queries.get_bounce(bounce_id) or abort(404)
    return render_template("bounces/bounce.html", bounce=bounce, kind_labels=KIND_LABELS,
                           raw=bounce.raw.decode("utf-8", errors="replace"))
