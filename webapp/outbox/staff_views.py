"""The staff Mail page: every delivery, notices included, and sending a failed one again."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.outbox import queries, services
from webapp.outbox.forms import KIND_LABELS, STATUS_LABELS, MailFilter
from webapp.permissions import staff_required
from webapp.signed_in_pages import kept_for_the_reader

bp = Blueprint("outbox_staff", __name__, url_prefix="/staff/mail")


@bp.route("")
@staff_required
@kept_for_the_reader
def mail():
    form = MailFilter(request.args)
    if not form.validate():
        abort(400)
    filters = {"kind": form.kind.data, "address": form.address.data}
    counts = queries.counts_by_status(**filters)
    page = queries.mail(form.status.data, number=form.chosen_page(), counts=counts, **filters)
    return render_template("outbox/mail.html", form=form, page=page,
                           kept={key: value for key, value in filters.items() if value},  # in every link
                           tabs=queries.filter_counts(counts), status_labels=STATUS_LABELS,
                           kind_labels=KIND_LABELS, server_trouble=services.server_trouble(),
                           resendable=queries.STATUS_FILTERS["failed"])


@bp.route("/<int:delivery_id>/resend", methods=["POST"])
@staff_required
def resend(delivery_id):
    # The CSRF token is checked for every POST by CSRFProtect, before this runs.
    delivery = queries.get_delivery(delivery_id) or abort(404)
    address = delivery.address
    try:
        services.resend(delivery.id, actor=current_user)
    except services.NotResendable:
        flash(_("The email to %(address)s was not failed: nothing was sent again.", address=address), "error")
    else:
        flash(_("The email to %(address)s is queued again.", address=address), "success")
    return redirect(url_for("outbox_staff.mail", address=address))
