"""Signing in and out: the login form, the code step, entering the password again, forgotten passwords
and the links that choose one. The account's own pages are in account_views, staff's in staff_views."""
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from webapp.accounts import limits, password_links, services, sessions, two_factor
from webapp.accounts.forms import ChoosePasswordForm, CodeForm, ConfirmSignInForm, ForgotForm, LoginForm
from webapp.accounts.models import User
from webapp.extensions import db, login
from webapp.links import same_site_path

bp = Blueprint("accounts", __name__)

# How long the code step waits after a right password.
PENDING_SECONDS = 300


@bp.record_once
def _cookie_lifetime(state):
    state.app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=state.app.config["SESSION_HOURS"])


@login.user_loader
def load_user(user_id):
    user = db.session.get(User, int(user_id))
    if user is None or not sessions.still_valid(user):
        sessions.renew()
        return None
    return user


# Pages a signed-in person may reach before setting up two-factor sign-in where it is required.
SETUP_PAGES = {"accounts.two_factor_page", "accounts.logout", "static", "languages.choose"}


@bp.before_app_request
def _session_checks():
    if not current_user.is_authenticated:
        return None
    sessions.seen()
    if (current_app.config["REQUIRE_TWO_FACTOR"] and not current_user.two_factor
            and request.endpoint not in SETUP_PAGES):
        flash(_("Two-factor sign-in is required for every account here: please set it up first."), "info")
        return redirect(url_for("accounts.two_factor_page"))
    return None


def _safe_next(target):
    return same_site_path(target) or url_for("dashboard.index")


def generic_failure():
    # One message for a wrong address, password or code: it tells a guesser nothing.
    flash(_("Those sign-in details are not right. Check what you typed and try again."), "error")


@bp.route("/login", methods=["GET", "POST"])
@limits.password_guesses
def login_page():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.two_factor:
            sessions.renew()
            session[sessions.PENDING] = {"uid": user.id, "sv": user.session_version, "at": sessions.now(),
                                         "next": same_site_path(request.args.get("next"))}
            return redirect(url_for("accounts.sign_in_code"))
        if user is not None:
            sessions.begin(user)
            return redirect(_safe_next(request.args.get("next")))
        generic_failure()
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


def _pending_user():
    pending = session.get(sessions.PENDING) or {}
    if sessions.now() - pending.get("at", 0) > PENDING_SECONDS:
        return None, pending
    user = db.session.get(User, pending.get("uid") or 0)
    if user is None or not user.active or user.session_version != pending.get("sv"):
        return None, pending
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@limits.code_guesses
def sign_in_code():
    user, pending = _pending_user()
    if user is None:
        session.pop(sessions.PENDING, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login_page"))
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.check(user, form.code.data):
            sessions.begin(user)
            return redirect(_safe_next(pending.get("next")))
        generic_failure()
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/code.html", form=form), status


@bp.route("/account/confirm", methods=["GET", "POST"])
@login_required
@limits.code_guesses
def confirm_sign_in():
    form = ConfirmSignInForm()
    if form.validate_on_submit():
        right = current_user.check_password(form.password.data)
        if right and current_user.two_factor:
            right = two_factor.check(current_user, form.code.data)
        if right:
            db.session.commit()
            sessions.confirmed()
            return redirect(_safe_next(request.args.get("next")))
        generic_failure()
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/confirm.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        services.log_out(current_user)
    logout_user()
    sessions.renew()
    flash(_("You are logged out."), "success")
    return redirect(url_for("groups.home"))


@bp.route("/login/forgot", methods=["GET", "POST"])
@limits.reset_requests
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        password_links.request_reset(form.email.data)
        flash(_("If an active account has the address %(email)s, we sent it a link to choose a new password. "
                "It works for %(minutes)d minutes.", email=form.email.data.strip(),
                minutes=current_app.config["RESET_LINK_MINUTES"]), "success")
        return redirect(url_for("accounts.login_page"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/account/choose-password/<token>", methods=["GET", "POST"])
def choose_password(token):
    # The GET only shows the form: a mail scanner opening the link uses nothing up.
    try:
        link = password_links.find(token)
    except password_links.LinkProblem:
        return render_template("accounts/link_problem.html"), 404
    form = ChoosePasswordForm(link.user.email)
    if form.validate_on_submit():
        try:
            password_links.use(token, form.new.data)
        except password_links.LinkProblem:
            return render_template("accounts/link_problem.html"), 404
        logout_user()
        sessions.renew()
        flash(_("Your password is saved. Log in with it now."), "success")
        return redirect(url_for("accounts.login_page"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/choose_password.html", form=form, user=link.user, link=link), status


from webapp.accounts import account_views, staff_views  # noqa: E402,F401  (their routes are on bp)
