from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from webapp.accounts import services
from webapp.accounts.forms import AccountForm, ActiveForm, EmailPreferencesForm, LoginForm, PasswordForm
from webapp.accounts.models import User
from webapp.extensions import db, limiter, login
from webapp.links import same_site_path
from webapp.permissions import staff_required

bp = Blueprint("accounts", __name__)


@login.user_loader
def load_user(user_id):
    return db.session.get(User, int(user_id))


def _safe_next(target):
    return same_site_path(target) or url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login_page():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("That email and password do not match an active account."), "error")
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("groups.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AccountError:
            form.current.errors.append(_("That is not your current password."))
        else:
            flash(_("Your password is changed."), "success")
            return redirect(url_for("dashboard.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/password.html", form=form), status


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def email_preferences():
    # On a POST only what was sent counts: an unticked box is not sent at all.
    # A POST without the language (an older page) keeps the user's own.
    saved = {"request_emails": current_user.request_emails} if request.method == "GET" else {}
    form = EmailPreferencesForm(data={**saved, "language": current_user.language or str(get_locale())})
    if form.validate_on_submit():
        services.set_request_emails(current_user, form.request_emails.data)
        services.set_language(current_user, form.language.data)
        with force_locale(form.language.data):
            flash(_("Your email preferences are saved."), "success")
        return redirect(url_for("accounts.email_preferences"))
    return render_template("accounts/email_preferences.html", form=form,
                           remind_after_days=current_app.config["REMIND_AFTER_DAYS"]), \
        400 if request.method == "POST" else 200


@bp.route("/staff/accounts", methods=["GET", "POST"])
@staff_required
def accounts():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(email=form.email.data, name=form.name.data, password=form.password.data,
                                        role=form.role.data, actor=current_user)
        except services.AccountError:
            form.email.errors.append(_("An account with this email exists already."))
        else:
            flash(_("Account created for %(name)s. Assign their groups below.", name=user.name), "success")
            return redirect(url_for("groups.contacts"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/accounts.html", form=form, users=services.all_users(),
                           active_form=ActiveForm()), status


@bp.route("/staff/accounts/<int:user_id>/active", methods=["POST"])
@staff_required
def set_active(user_id):
    user = db.session.get(User, user_id) or abort(404)
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
