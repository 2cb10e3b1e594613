"""Rate limits on guessing: passwords, codes and reset requests.

Three counters, each in Flask-Limiter's storage (RATELIMIT_STORAGE_URI: Redis where several
processes or hosts serve the site, so that they count together):
- per client address (LOGIN_RATE_LIMIT): one address guessing at many accounts. It refuses
  failures only: once an address has used up its failures, a wrong password or code from it is
  answered "too many requests", but the right one still signs in. An office's or a school's
  mistyped passwords thus lock out no one, and the two counters below still stop a guesser;
- per account and address (ACCOUNT_ADDRESS_RATE_LIMIT): the guesser is refused, while the account's
  owner, from another address, still gets in;
- per account from anywhere (ACCOUNT_RATE_LIMIT), higher and short: guessing spread over many addresses.

A password or code that works costs nothing: only failures count, so a shared address (an
office, a school) is not locked by its own people signing in.
"""
from functools import wraps

from flask import abort, current_app, make_response, request, session
from flask_limiter.util import get_remote_address
from limits import parse

from webapp.extensions import limiter


def _config(name):
    return lambda: current_app.config[name]


def _failed(response):
    return response.status_code >= 400


def _typed_account():
    return "email:" + request.form.get("email", "").strip().lower()[:254]


def _signing_in_account():
    # The code step and "enter your password again" know the account from the session.
    from flask_login import current_user

    pending = session.get("pending_sign_in") or {}
    uid = pending.get("uid") or (current_user.get_id() if current_user.is_authenticated else "")
    return f"user:{uid}"


def _failures_from_the_address(view, scope):
    """Count the view's failures per client address; once they are used up, refuse a failure (429), not a success.

    The view has decided, and done nothing, when it fails: refusing then changes nothing but the answer.
    """
    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "POST" or not current_app.config.get("RATELIMIT_ENABLED", True):
            return view(*args, **kwargs)
        limit, key = parse(current_app.config["LOGIN_RATE_LIMIT"]), (f"{scope}-address", get_remote_address())
        spent = not limiter.limiter.test(limit, *key)
        response = make_response(view(*args, **kwargs))
        if _failed(response):
            limiter.limiter.hit(limit, *key)
            if spent:
                session.pop("_flashes", None)  # the form's own message would show on the next page
                abort(429)
        return response

    return wrapper


def _limits(view, account, scope):
    for decorate in (
        lambda view: _failures_from_the_address(view, scope),
        limiter.limit(_config("ACCOUNT_ADDRESS_RATE_LIMIT"), methods=["POST"], deduct_when=_failed,
                      key_func=lambda: f"{account()}|{get_remote_address()}", scope=f"{scope}-account-address"),
        limiter.limit(_config("ACCOUNT_RATE_LIMIT"), methods=["POST"], deduct_when=_failed,
                      key_func=account, scope=f"{scope}-account"),
    ):
        view = decorate(view)
    return view


def password_guesses(view):
    """The login form: counted by the address typed."""
    return _limits(view, _typed_account, "login")


def code_guesses(view):
    """The code step and re-entering a password: counted by the account signing in."""
    return _limits(view, _signing_in_account, "code")


def reset_requests(view):
    """Asking for a reset link, which emails someone: every request counts, per address and per account."""
    view = limiter.limit(_config("RESET_RATE_LIMIT"), methods=["POST"], scope="reset-address")(view)
    return limiter.limit(_config("RESET_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=_typed_account,
                         scope="reset-account")(view)
