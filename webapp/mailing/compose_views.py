"""Writing a message: compose and edit (a draft), preview, test to oneself, the second look, schedule, cancel."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from webapp import permissions
from webapp.accounts.sessions import recent_sign_in_required
from webapp.groups import services as groups
from webapp.mailing import attachments as files
from webapp.mailing import compose as drafts
from webapp.mailing import scheduling, services
from webapp.mailing.forms import ActionForm, ComposeForm
from webapp.mailing.models import MessageStatus
from webapp.mailing.views import _message_or_404, _reach_sentence, bp, message_recipients

# Room for the form's other fields and the multipart envelope around the attachments.
ENVELOPE = 256 * 1024
COMPOSE_ENDPOINTS = {"mailing.compose", "mailing.edit"}


@bp.url_value_preprocessor
def _limit_what_is_read(endpoint, values):
    # This runs before CSRFProtect and the input guard read the form (before_request):
    # a body over the limit is refused unread, with the page below.
    if endpoint in COMPOSE_ENDPOINTS:
        request.max_content_length = files.MAX_TOTAL_BYTES + ENVELOPE
        request.max_form_memory_size = 1024 * 1024


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    return render_template("error.html", code=413, message=files.too_large_message()), 413


@bp.route("/new", methods=["GET", "POST"])
@login_required
def compose():
    return _compose_page(None)


@bp.route("/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
def edit(message_id):
    message, gone = _changeable(message_id)
    return gone or _compose_page(message)


def _changeable(message_id):
    """(the message, None), or (it, a redirect to its page) when it has started or was cancelled."""
    message = _message_or_404(message_id)
    if not permissions.can_change_message(current_user, message):
        abort(403)
    if message.status not in drafts.NOT_STARTED:
        flash(_("This message has started going out or was cancelled: it can no longer be changed."), "warning")
        return message, redirect(url_for("mailing.show", message_id=message.id))
    return message, None


def _compose_page(message):
    allowed = groups.groups_looked_after_by(current_user)
    if not allowed:
        abort(403)
    form = ComposeForm(obj=None)
    form.groups.choices = [SelectChoice(g.id, g.shown_name) for g in allowed]
    form.reply_to.choices = drafts.reply_choices(current_user, allowed)
    if message is not None:
        form.remove_attachments.choices = [(a.id, a.filename) for a in message.attachments]
    if request.method == "GET":
        _fill(form, message, allowed)
    elif not form.reply_to.data:
        form.reply_to.data = current_user.email  # a form without the choice: the sender's own address
    problem, preview = None, None
    if form.validate_on_submit():
        chosen = [g for g in allowed if g.id in form.groups.data]
        try:
            message = _save(form, message, chosen)
        except drafts.NotChangeable:
            flash(_("This message has started going out or was cancelled: it can no longer be changed."),
                  "warning")
            return redirect(url_for("mailing.show", message_id=message.id))
        except _FieldProblem as bad:
            bad.field.errors = list(bad.field.errors) + [bad.message]
            problem = bad.message
        else:
            after = _after_save(form, message, chosen)
            if after is not None:
                return after
            preview = _preview(message, chosen)
            form.remove_attachments.choices = [(a.id, a.filename) for a in message.attachments]
            form.remove_attachments.data = []
    status = 400 if request.method == "POST" and (form.errors or problem) else 200
    return render_template("mailing/compose.html", form=form, preview=preview, message=message,
                           zone=current_app.config["TIME_ZONE"], limit_files=files.MAX_FILES,
                           kinds=files.ALLOWED_NAMES), status


def _fill(form, message, allowed):
    if message is None:
        form.reply_to.data = current_user.email
        if request.args.get("group"):
            form.groups.data = [g.id for g in allowed if g.slug == request.args["group"]]
        return
    form.subject.data, form.body.data = message.subject, message.body
    form.groups.data = [g.id for g in message.groups]
    form.reply_to.data = message.reply_to
    form.send_at.data = scheduling.to_local(message.scheduled_for)


class _FieldProblem(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def _save(form, message, chosen):
    scheduled_for = None
    if form.send_at.data is not None:
        try:
            scheduled_for = scheduling.to_utc(form.send_at.data)
        except scheduling.NoSuchTime:
            raise _FieldProblem(form.send_at, _("That time does not exist here: the clocks change then. "
                                                "Please choose another."))
    try:
        return drafts.save(current_user, message, subject=form.subject.data, body=form.body.data, groups=chosen,
                           reply_to=form.reply_to.data, scheduled_for=scheduled_for,
                           uploads=drafts.uploads_from(form.attachments.data),
                           remove=form.remove_attachments.data or [])
    except drafts.NotAllowed:
        abort(403)
    except drafts.BadReplyTo:
        raise _FieldProblem(form.reply_to, _("Replies can go to you or to a contact of the groups you write to."))
    except drafts.PastTime:
        raise _FieldProblem(form.send_at, _("That time has passed. Choose a time to come, or leave it empty to "
                                            "send as soon as you confirm."))
    except files.Refused as refused:
        raise _FieldProblem(form.attachments, refused.message)


def _after_save(form, message, chosen):
    """Where each button leads once the draft is saved; None to show the page again with a preview."""
    if form.send.data:
        return redirect(url_for("mailing.confirm", message_id=message.id))
    if form.test.data:
        drafts.send_test(current_user, message)
        flash(_("A test is on its way to %(address)s. The message itself is not sent.", address=current_user.email),
              "success")
        return redirect(url_for("mailing.show", message_id=message.id))
    if form.save.data:
        flash(_("Saved as a draft. Nothing was sent."), "success")
        return redirect(url_for("mailing.edit", message_id=message.id))
    return None


def _preview(message, chosen):
    text, html, (count, left_out) = services.preview(message.subject, message.body, chosen, current_user)
    return {"text": text, "html": html, "reach": _reach_sentence(count, left_out, queued=False),
            "subject": message.subject}


@bp.route("/<int:message_id>/confirm", methods=["GET", "POST"])
@login_required
@recent_sign_in_required
def confirm(message_id):
    """The second look: subject, groups, how many members, when; only its POST queues or schedules."""
    message, gone = _changeable(message_id)
    if gone:
        return gone
    form = ActionForm()
    if form.validate_on_submit():
        try:
            status = drafts.confirm(current_user, message)
        except drafts.NotChangeable:
            flash(_("This message has started going out or was cancelled: it can no longer be changed."),
                  "warning")
            return redirect(url_for("mailing.show", message_id=message.id))
        except drafts.PastTime:
            flash(_("The time set for this message has passed. Choose another time, or none to send it now."),
                  "error")
            return redirect(url_for("mailing.edit", message_id=message.id))
        if status == MessageStatus.SCHEDULED:
            flash(_("Scheduled. It can be changed or cancelled until it starts."), "success")
        else:
            flash(_reach_sentence(message_recipients(message), services.left_out(message.groups), queued=True),
                  "success")
        return redirect(url_for("mailing.show", message_id=message.id))
    count, left_out = services.reach(message.groups)
    return render_template("mailing/confirm.html", message=message, form=form, count=count,
                           reach=_reach_sentence(count, left_out, queued=False),
                           reply_to=drafts.reply_to_label(message)), 400 if request.method == "POST" else 200


@bp.route("/<int:message_id>/test", methods=["POST"])
@login_required
def test(message_id):
    message = _message_or_404(message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        drafts.send_test(current_user, message)
    except drafts.NotAllowed:
        abort(403)
    flash(_("A test is on its way to %(address)s. The message itself is not sent.", address=current_user.email),
          "success")
    return redirect(url_for("mailing.show", message_id=message.id))


@bp.route("/<int:message_id>/cancel-message", methods=["POST"])
@login_required
def cancel_message(message_id):
    """Cancel a draft or a scheduled message before it starts."""
    message = _message_or_404(message_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        drafts.cancel(current_user, message)
        flash(_("The message is cancelled. Nothing of it was sent."), "success")
    except drafts.NotAllowed:
        abort(403)
    except drafts.NotChangeable:
        flash(_("This message has started going out or was cancelled: it can no longer be changed."), "warning")
    return redirect(url_for("mailing.show", message_id=message.id))


@bp.route("/<int:message_id>/attachments/<int:attachment_id>")
@login_required
def attachment(message_id, attachment_id):
    message = _message_or_404(message_id)
    found = drafts.attachment_of(message, attachment_id)
    if found is None:
        abort(404)
    response = current_app.response_class(found.data, content_type=found.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=found.filename)
    return response
