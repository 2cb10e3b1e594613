"""A signed-in person's own account: password, two-factor sign-in, sessions and email preferences."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from webapp.accounts import limits, services, sessions, two_factor
from webapp.accounts.forms import (ActiveForm, EmailPreferencesForm, PasswordForm, TwoFactorForm,
                                   TwoFactorOffForm)
from webapp.accounts.views import bp

SETUP_SECRET = "totp_setup"


@bp.route("/account")
@login_required
def account():
    return render_template("accounts/account.html", sign_out_form=ActiveForm(),
                           codes_left=two_factor.recovery_codes_left(current_user) if current_user.two_factor else 0)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limits.code_guesses
def password():
    form = PasswordForm(current_user.email)
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.WeakPassword as weak:
            form.new.errors.append(str(weak))
        except services.AccountError:
            form.current.errors.append(_("That is not your current password."))
        else:
            sessions.keep(current_user)
            flash(_("Your password is changed. Your other sessions are signed out."), "success")
            return redirect(url_for("dashboard.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/password.html", form=form), status


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    if not ActiveForm().validate_on_submit():
        return redirect(url_for("accounts.account"))
    services.sign_out_everywhere(current_user)
    logout_user()
    sessions.renew()
    flash(_("You are signed out everywhere, here too. Log in again to go on."), "success")
    return redirect(url_for("accounts.login_page"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@limits.code_guesses
def two_factor_page():
    if current_user.two_factor:
        return _turn_off()
    # The secret waits in the session until a code shows the app has it.
    secret = session.get(SETUP_SECRET) or two_factor.new_secret()
    session[SETUP_SECRET] = secret
    form = TwoFactorForm()
    if form.validate_on_submit():
        codes = two_factor.turn_on(current_user, secret, form.code.data)
        if codes is not None:
            session.pop(SETUP_SECRET, None)
            return render_template("accounts/recovery_codes.html", codes=codes)
        form.code.errors.append(_("That code is not right. Check the clock of your phone and type the newest code."))
    status = 400 if request.method == "POST" else 200
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("accounts/two_factor_setup.html", form=form, secret=grouped,
                           uri=two_factor.provisioning_uri(current_user, secret)), status


def _turn_off():
    form = TwoFactorOffForm()
    required = current_app.config["REQUIRE_TWO_FACTOR"]
    if not required and form.validate_on_submit():
        if two_factor.turn_off(current_user, form.code.data):
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("accounts.account"))
        form.code.errors.append(_("That code is not right."))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/two_factor_on.html", form=form, required=required,
                           codes_left=two_factor.recovery_codes_left(current_user)), status


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
