"""Bringing members in: a CSV import (upload, preview, confirm) and one member added by hand."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import Forbidden, RequestEntityTooLarge

from webapp import permissions
from webapp.groups import services as groups
from webapp.membership import imports
from webapp.membership.import_forms import AddMemberForm, ConfirmImportForm, ImportForm

bp = Blueprint("member_import", __name__)

ENVELOPE = 64 * 1024  # room for the multipart envelope and the form's other fields
PREVIEWS_KEPT = 5  # an importer's previews (tabs) that may each still be confirmed


@bp.url_value_preprocessor
def _limit_what_is_read(endpoint, values):
    # This runs before CSRFProtect and the input guard read the form (before_request):
    # a body over the limit is refused before it is read, and _too_large answers.
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if endpoint == "member_import.upload":
        request.max_content_length = limit + ENVELOPE
    elif endpoint == "member_import.confirm":
        # The signed rows: at most the file's text, a third larger as base64 when it does not compress.
        request.max_content_length = request.max_form_memory_size = 2 * limit + ENVELOPE


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    group = groups.by_slug(request.view_args.get("slug", ""))
    if group is None or not permissions.can_review(current_user, group):
        return current_app.handle_http_exception(Forbidden())
    limit = current_app.config["IMPORT_MAX_BYTES"]
    return _upload_page(group, ImportForm(formdata=None), imports.too_large(limit), 400)


def _importable_group(slug):
    group = groups.by_slug(slug)
    if group is None:
        abort(404)
    if not permissions.can_review(current_user, group):
        abort(403)
    return group


def _upload_page(group, form, problem=None, status=200):
    return render_template("membership/import.html", group=group, form=form, problem=problem,
                           limits=imports.limits(current_app.config["IMPORT_MAX_BYTES"])), status


def _remember(nonce):
    session["import_previews"] = (session.get("import_previews", []) + [nonce])[-PREVIEWS_KEPT:]


def _forget(nonce):
    """Whether this preview could still be confirmed in this session; from now on it cannot."""
    previews = session.get("import_previews", [])
    if nonce not in previews:
        return False
    session["import_previews"] = [kept for kept in previews if kept != nonce]
    return True


@bp.route("/groups/<slug>/import", methods=["GET", "POST"])
@login_required
def upload(slug):
    group = _importable_group(slug)
    form = ImportForm()
    if not form.validate_on_submit():
        return _upload_page(group, form, status=400 if request.method == "POST" else 200)
    try:
        result = imports.preview(group, current_user, form.file.data.read(), form.welcome.data)
    except imports.BadFile as bad:
        return _upload_page(group, form, bad.message, 400)
    _remember(result.nonce)
    return render_template("membership/import_preview.html", group=group, result=result, welcome=form.welcome.data,
                           form=ConfirmImportForm(formdata=None, payload=result.token), number=format_number)


@bp.route("/groups/<slug>/import/confirm", methods=["POST"])
@login_required
def confirm(slug):
    group = _importable_group(slug)
    form = ConfirmImportForm()
    try:
        if not form.validate_on_submit():
            raise imports.PreviewInvalid()
        nonce, welcome, rows = imports.read_preview(form.payload.data or "", group, current_user)
    except imports.PreviewInvalid:
        return _upload_page(group, ImportForm(formdata=None),
                            _("This preview has expired or was changed on the way; please upload the file again."), 400)
    roster = url_for("membership.roster", slug=group.slug)
    if not _forget(nonce):  # the back button, or a second click
        flash(_("This preview was used already (or a newer one replaced it): nothing more was changed. To import "
                "the file again, upload it again."), "warning")
        return redirect(roster)
    result = imports.confirm(group, rows, actor=current_user, welcome=welcome)
    imported, skipped = len(result.new), len(rows) - len(result.new)
    flash(ngettext("%(count)s new member imported.", "%(count)s new members imported.", imported,
                   count=format_number(imported)), "success")
    if skipped:
        flash(ngettext("%(count)s was not imported: their status changed since the preview.",
                       "%(count)s were not imported: their status changed since the preview.", skipped,
                       count=format_number(skipped)), "warning")
    return redirect(roster)


@bp.route("/groups/<slug>/members/new", methods=["GET", "POST"])
@login_required
def add_member(slug):
    group = _importable_group(slug)
    form = AddMemberForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("membership/import_add.html", group=group, form=form), status
    try:
        membership = imports.add_member(group, actor=current_user, name=form.name.data, email=form.email.data,
                                        organization=form.organization.data or "", role=form.role_title.data or "",
                                        welcome=form.welcome.data)
    except imports.AlreadyMember as already:
        problem = _("%(email)s is already a member of %(group)s; nothing was changed.", email=already.address,
                    group=group.name)
    except imports.NotAdded as refusal:
        problem = _("%(email)s was not added: %(reason)s", email=refusal.address, reason=refusal.reason)
    else:
        flash(_("%(name)s is now a member of %(group)s.", name=membership.person.name, group=group.name), "success")
        return redirect(url_for("membership.roster", slug=group.slug))
    return render_template("membership/import_add.html", group=group, form=form, problem=problem), 409
