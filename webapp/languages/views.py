"""The header's language switch: one small POST form per language, working without JavaScript."""
from functools import lru_cache
from urllib.parse import urlencode

from babel import Locale
from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_login import current_user

from webapp.accounts import services as accounts
from webapp.links import same_site_path

bp = Blueprint("languages", __name__)


@bp.route("/language", methods=["POST"])
def choose():
    language = request.form.get("lang")
    if language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        if current_user.is_authenticated:  # a user's language is theirs, whichever browser they use
            accounts.set_language(current_user, language)
    return redirect(same_site_path(request.form.get("next")) or url_for("groups.home"))


@bp.before_app_request
def remember_lang_parameter():
    # A link with ?lang=es (as in a Spanish email) keeps the visit in Spanish, as the switch does.
    language = request.args.get("lang")
    if language in current_app.config["LANGUAGES"] and session.get("lang") != language:
        session["lang"] = language


@lru_cache
def _names(languages):
    # Each language named in itself ("Español" on the English page too), as people look for their own.
    names = (Locale.parse(code).get_display_name(code) for code in languages)
    return tuple((code, name[:1].upper() + name[1:]) for code, name in zip(languages, names))


def _this_page():
    # Without ?lang=, which would outrank the choice on the page we go back to.
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return request.path + (f"?{urlencode(query)}" if query else "")


@bp.app_context_processor
def language_switch():
    return {"language_choices": _names(tuple(current_app.config["LANGUAGES"])), "this_page": _this_page}
