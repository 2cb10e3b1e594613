"""The reader's translations, looked up once per request.

Flask-Babel looks up the translations on every gettext: the domain, the locale and its
cache, each read through the request's context, and Jinja's wrappers go through the
template's context twice more. A roster page translates about 150 messages, the audit
log about 200: a tenth of the page's time went there. Here the translations found for
the request's locale are kept beside that locale, so that each later call costs an
attribute read; and a template message with no placeholders, the same on every page,
is translated and escaped once per language. force_locale() (an email in its reader's
language) sets another locale object, and so gets its own translations.

The template functions do what jinja2.ext's "newstyle" gettext does (escape the
translation under autoescape, then always %-format it with the keyword arguments), so
pages read the same. `babel` in extensions is a ReadersBabel.
"""
from functools import lru_cache

from babel import support
from flask import g, request
from flask_babel import Babel, Domain, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.utils import cached_property


def _kept(context, domain):
    kept = getattr(context, "catalog", None)
    if kept is not None and kept[0] is getattr(context, "babel_locale", None) and kept[1] is domain:
        return kept[2]
    return None


class ReadersDomain(Domain):
    """Flask-Babel's domain, keeping the request's translations beside its locale."""

    def get_translations(self):
        try:
            context = g._flask_babel
        except (AttributeError, RuntimeError):  # nothing chosen yet in this request, or no app context
            context = None
        translations = _kept(context, self) if context is not None else None
        if translations is None:
            translations = super().get_translations()
            locale = getattr(context, "babel_locale", None)
            if locale is not None:
                context.catalog = (locale, self, translations)
        return translations


class ReadersBabel(Babel):
    @cached_property
    def domain_instance(self):
        return ReadersDomain(domain=self.domain)


def catalog():
    """The translations of the current locale, as flask_babel.get_translations() gives them."""
    try:
        context = g._flask_babel
    except (AttributeError, RuntimeError):
        return get_translations()
    translations = _kept(context, getattr(context, "babel_domain", None))
    return get_translations() if translations is None else translations


# (translations, autoescape, message) -> the message translated, escaped and formatted with no arguments.
# Bounded by the messages in the templates times the languages: Flask-Babel keeps one Translations per
# language; outside an app context it makes a new NullTranslations each call, which is not kept here.
_plain = {}


@pass_context
def gettext(context, string, **variables):
    translations = catalog()
    autoescape = context.eval_ctx.autoescape
    keep = not variables and type(translations) is not support.NullTranslations
    if keep:
        key = (translations, autoescape, string)
        kept = _plain.get(key)
        if kept is not None:
            return kept
    rv = translations.ugettext(string)
    if autoescape:
        rv = Markup(rv)
    rv = rv % variables
    if keep:
        _plain[key] = rv
    return rv


@pass_context
def ngettext(context, singular, plural, num, **variables):
    variables.setdefault("num", num)
    rv = catalog().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


@pass_context
def pgettext(context, string_context, string, **variables):
    variables.setdefault("context", string_context)
    rv = catalog().upgettext(string_context, string)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


@pass_context
def npgettext(context, string_context, singular, plural, num, **variables):
    variables.setdefault("context", string_context)
    variables.setdefault("num", num)
    rv = catalog().unpgettext(string_context, singular, plural, num)
    if context.eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


class WTFormsMessages:
    """WTForms' own messages ("Not a valid choice") in the reader's language, read from disk once per language.

    Flask-WTF reads WTForms' catalog from disk on each request that builds a form (0.2-0.5 ms), unless the
    request already holds one as `request.wtforms_translations`: every request holds this one.
    """

    def ugettext(self, string):
        return _wtforms_catalog(str(get_locale())).ugettext(string)

    def ungettext(self, singular, plural, n):
        return _wtforms_catalog(str(get_locale())).ungettext(singular, plural, n)


@lru_cache(maxsize=16)
def _wtforms_catalog(locale):
    from wtforms.i18n import messages_path

    return support.Translations.load(messages_path(), [locale], domain="wtforms")


WTFORMS_MESSAGES = WTFormsMessages()


def _hand_wtforms_its_messages():
    request.wtforms_translations = WTFORMS_MESSAGES


def init_app(app):
    """After babel.init_app: the templates' gettext functions, and WTForms' messages."""
    app.before_request(_hand_wtforms_its_messages)
    env = app.jinja_env
    env.newstyle_gettext = True
    # The i18n extension's _() looks "gettext" up in the template's context on every call; it is this one.
    env.globals.update(gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext, _=gettext)


def reader_language(user=None):
    """The language to write to `user` in: the one they chose, else the page's (the visit's or a forced
    one), else the default (the CLI, the worker)."""
    chosen = getattr(user, "language", None)
    if chosen:
        return chosen
    try:
        return str(get_locale() or "en")
    except RuntimeError:  # neither a request nor a forced locale
        return "en"
