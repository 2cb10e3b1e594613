"""The emails accounts send: an invitation and a password reset, handed to the outbox."""
from flask import current_app, render_template
from flask_babel import gettext as _

from webapp.links import public_url
from webapp.outbox.services import notify


def _send(user, subject, template, queue=True, **context):
    text = render_template(f"email/accounts/{template}.txt", user=user,
                           coalition_name=current_app.config["COALITION_NAME"], **context)
    if queue:
        notify(user.email, user.name, subject, text)


def invitation(user, token, actor, hours):
    _send(user, _("You are invited to %(coalition)s's working groups", coalition=current_app.config["COALITION_NAME"]),
          "invite", link=public_url("accounts.choose_password", token=token), actor=actor, hours=hours)


def password_reset(user, token, minutes, queue=True):
    _send(user, _("Choose a new password"), "reset", queue=queue,
          link=public_url("accounts.choose_password", token=token), minutes=minutes)
