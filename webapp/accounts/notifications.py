"""The emails accounts send: an invitation and a password reset, in the account's language, handed to the outbox."""
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.links import public_url
from webapp.outbox.services import notify
from webapp.translations import reader_language


def _send(user, subject, template, link_endpoint, token, queue=True, **context):
    """Render and (with `queue`) queue one email in the user's language, else the visit's.

    An address with no account comes here too (queue False) and takes the same steps, so that
    the answer to a reset request costs the same whether or not the address is known.
    """
    language = reader_language(user)
    lang = {"lang": language} if language != "en" else {}
    with force_locale(language):
        text = render_template(f"email/accounts/{template}.txt", user=user,
                               coalition_name=current_app.config["COALITION_NAME"],
                               link=public_url(link_endpoint, token=token, **lang), **context)
        subject = subject()
    if queue:
        notify(user.email, user.name, subject, text)


def invitation(user, token, actor, hours):
    _send(user, lambda: _("You are invited to %(coalition)s's working groups",
                          coalition=current_app.config["COALITION_NAME"]),
          "invite", "accounts.choose_password", token, actor=actor, hours=hours)


def password_reset(user, token, minutes, queue=True):
    _send(user, lambda: _("Choose a new password"), "reset", "accounts.choose_password", token, queue=queue,
          minutes=minutes)
