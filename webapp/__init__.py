"""Coalition Groups: working-group membership and roster mail for a coalition."""
from pathlib import Path

from flask import Flask, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, config_from_env
from webapp import generations, input_guard, local_time, public_pages, request_log, translations
from webapp.extensions import babel, csrf, db, limiter, login, mail, migrate, select_locale, sqlite_settings


def create_app(config=None):
    config = config or config_from_env()
    if hasattr(config, "check"):
        config.check()
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(config)
    Path(app.instance_path).mkdir(exist_ok=True)
    if app.config["TRUSTED_PROXIES"] > 0:
        # Only then is X-Forwarded-For believed (the rate limits and the audit log read the client's address).
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    db.init_app(app)
    with app.app_context():
        sqlite_settings(db.engine)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    login.init_app(app)
    login.login_view = "accounts.login_page"
    login.login_message = None
    limiter.init_app(app)
    public_pages.init_app(app)
    generations.init_app(app)
    request_log.init_app(app)  # before input_guard: a refused request is logged too
    babel.init_app(app, locale_selector=select_locale)
    translations.init_app(app)  # after babel: the templates' _() reads the request's translations once
    local_time.init_app(app)
    input_guard.init_app(app)  # before the blueprints: their routes use its <int:…>

    from webapp import models  # noqa: F401  (every table known to Alembic)
    from webapp.accounts.views import bp as accounts_bp
    from webapp.activity.views import bp as audit_bp
    from webapp.bounces.views import bp as bounces_bp
    from webapp.dashboard.views import bp as dashboard_bp
    from webapp.groups.views import bp as groups_bp
    from webapp.health import bp as health_bp
    from webapp.languages.views import bp as languages_bp
    from webapp.mailing.views import bp as mailing_bp
    from webapp.membership.import_views import bp as member_import_bp
    from webapp.membership.review_views import bp as review_bp
    from webapp.membership.self_service_views import bp as self_service_bp
    from webapp.membership.views import bp as membership_bp
    from webapp.organizations.views import bp as organizations_bp
    from webapp.outbox.staff_views import bp as outbox_staff_bp
    from webapp.privacy.views import bp as privacy_bp

    for blueprint in (audit_bp, accounts_bp, groups_bp, languages_bp, organizations_bp, membership_bp, review_bp,
                      member_import_bp, self_service_bp, outbox_staff_bp, bounces_bp, mailing_bp, dashboard_bp, privacy_bp,
                      health_bp):
        app.register_blueprint(blueprint)

    from webapp.cli import register_commands
    from webapp.mailing import scheduling

    scheduling.init_app(app)  # the delivery workers start scheduled messages

    register_commands(app)
    _register_error_pages(app)
    _register_security_headers(app)

    @app.context_processor
    def inject_globals():
        return {"coalition_name": app.config["COALITION_NAME"], "get_locale": get_locale}

    return app


def _register_error_pages(app):
    messages = {
        400: _l("The request could not be understood."),
        403: _l("You do not have permission to do that."),
        404: _l("There is no page at this address."),
        405: _l("That action is not allowed here."),
        413: _l("What you sent is too large."),
        429: _l("Too many requests. Please wait a little and try again."),
        500: _l("Something went wrong on our side. Nothing you entered was lost."),
    }

    control_characters = _l("What you sent contains invisible control characters (such as a NUL byte). "
                            "Please remove them and try again; nothing was saved.")

    def handle(error):
        code = getattr(error, "code", 500) or 500
        if code >= 500:
            # A failed statement leaves the session unusable: the page (and its user) needs a fresh one.
            db.session.rollback()
        message = messages.get(code, messages[500])
        if code == 400 and getattr(error, "description", "") == "control characters":
            message = control_characters
        return render_template("error.html", code=code, message=message), code

    for code in messages:
        app.register_error_handler(code, handle)


# data: images are the dashboard's charts (SVG drawn on the server; a browser runs no script in an image).
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def _register_security_headers(app):
    @app.after_request
    def set_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not request.path.startswith("/static/"):
            # Pages name people (rosters, a member's own page, exports): no browser or proxy keeps a copy.
            response.headers.setdefault("Cache-Control", "no-store")
        if request.is_secure or app.config["PUBLIC_URL"].startswith("https://"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
