"""Staff manage accounts: invitations, roles, deactivation."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts import services
from webapp.accounts.forms import ActiveForm, InviteForm, RoleForm
from webapp.accounts.models import User
from webapp.accounts.sessions import recent_sign_in_required
from webapp.accounts.views import bp
from webapp.extensions import db
from webapp.permissions import staff_required


def _page(form, status=200):
    return render_template("accounts/accounts.html", form=form, users=services.all_users(),
                           active_form=ActiveForm()), status


@bp.route("/staff/accounts", methods=["GET", "POST"])
@staff_required
@recent_sign_in_required(methods={"POST"})
def accounts():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = services.invite_user(email=form.email.data, name=form.name.data, role=form.role.data,
                                        actor=current_user)
        except services.AccountError:
            form.email.errors.append(_("An account with this email exists already."))
        else:
            flash(_("We emailed %(name)s an invitation to choose a password. Assign their groups below.",
                    name=user.name), "success")
            return redirect(url_for("groups.contacts"))
    return _page(form, 400 if request.method == "POST" else 200)


def _user_or_404(user_id):
    return db.session.get(User, user_id) or abort(404)


@bp.route("/staff/accounts/<int:user_id>/invite", methods=["POST"])
@staff_required
@recent_sign_in_required
def invite_again(user_id):
    user = _user_or_404(user_id)
    if not ActiveForm().validate_on_submit():
        abort(400)
    try:
        services.invite_again(user, current_user)
    except services.AccountError:
        flash(_("%(name)s has chosen a password already.", name=user.name), "error")
    else:
        flash(_("We emailed %(name)s a new invitation; the earlier link no longer works.", name=user.name), "success")
    return redirect(url_for("accounts.accounts"))


@bp.route("/staff/accounts/<int:user_id>/role", methods=["POST"])
@staff_required
@recent_sign_in_required
def set_role(user_id):
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot change your own role."), "error")
    else:
        services.set_role(user, form.role.data, current_user)
        flash(_("%(name)s is now %(role)s.", name=user.name,
                role=_("staff") if user.is_staff else _("a contact person")), "success")
    return redirect(url_for("accounts.accounts"))


@bp.route("/staff/accounts/<int:user_id>/active", methods=["POST"])
@staff_required
@recent_sign_in_required
def set_active(user_id):
    user = _user_or_404(user_id)
    active = request.form.get("active") == "1"
    if not ActiveForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id and not active:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        try:
            services.set_active(user, active, actor=current_user)
        except services.StillNeeded as needed:
            flash(_("%(name)s is the only contact person of %(groups)s: give the group another contact first. "
                    "Nothing was changed.", name=user.name, groups=", ".join(needed.groups)), "error")
            return redirect(url_for("accounts.accounts"))
        message = _("%(name)s can log in again.", name=user.name) if active else \
            _("%(name)s is deactivated.", name=user.name)
        flash(message, "success")
    return redirect(url_for("accounts.accounts"))
