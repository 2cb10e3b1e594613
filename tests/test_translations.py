"""Each request's translations are looked up once and kept: the language still follows the reader, and an
email in its own reader's language (force_locale) is in that language, in templates and in code alike."""
from flask import render_template_string
from flask_babel import force_locale, gettext, lazy_gettext, refresh
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField

PAGE = "{{ _('Working groups') }}|{{ _('Select %(name)s', name=who) }}|{{ ngettext('%(num)d member', '%(num)d members', 2) }}"


def test_the_kept_translations_follow_the_locale_in_the_request(app):
    with app.test_request_context("/?lang=es"):
        refresh()
        assert gettext("Working groups") == "Grupos de trabajo"
        spanish = render_template_string(PAGE, who="<Ana>")
        assert spanish.startswith("Grupos de trabajo|") and "&lt;Ana&gt;" in spanish
        with force_locale("en"):
            assert gettext("Working groups") == "Working groups"
            assert str(lazy_gettext("Working groups")) == "Working groups"
            assert render_template_string(PAGE, who="<Ana>") == "Working groups|Select &lt;Ana&gt;|2 members"
        assert gettext("Working groups") == "Grupos de trabajo"
        assert render_template_string(PAGE, who="<Ana>") == spanish
    with app.test_request_context("/?lang=en"):
        refresh()
        assert render_template_string(PAGE, who="Ana").startswith("Working groups|Select Ana|")


class Posted(FlaskForm):
    n = IntegerField()


def test_wtforms_messages_are_in_the_readers_language(app):
    for language, message in (("es", "No es un valor entero válido."), ("en", "Not a valid integer value.")):
        with app.test_request_context(f"/?lang={language}"):
            refresh()
            form = Posted(meta={"csrf": False}, formdata=MultiDict({"n": "x"}))
            form.validate()
            assert form.n.errors == [message]
