"""What every feature's forms share: their base class, a filter, a field and the page number of a list."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (Form, IntegerField, PasswordField, SelectChoice, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

LINE_BREAK_OR_TAB = re.compile(r"[\t\r\n]")


def one_line(form, field):
    """A validator: no tab or line break, which would reach an email's text or a CSV cell as typed."""
    if isinstance(field.data, str) and LINE_BREAK_OR_TAB.search(field.data):
        raise ValidationError(_l("Type this on one line, without tabs or line breaks."))


def _single_line(field):
    # A password is never shown, stored or mailed as typed: whatever a password manager makes is kept.
    return isinstance(field, StringField) and not isinstance(field, (TextAreaField, PasswordField))


class CoalitionForm(FlaskForm):
    """Every form of the site: its single-line text fields hold one line (text areas take line breaks and tabs).

    Control characters other than these are refused before any view runs (input_guard).
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if _single_line(field):
                field.validators = [*field.validators, one_line]
            return field


def strip(value):
    """A field filter: what was typed, without surrounding spaces."""
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A list of labelled checkboxes: usable without JavaScript, unlike a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PageArgs(Form):
    """?page= of a paged list, read from request.args: not a whole number is a bad request (the caller's 400)."""

    page = IntegerField(_l("Page"), default=1, validators=[Optional()])

    def number(self):
        return self.page.data or 1


# Each language named in itself (lang= on the option, for screen readers), as people look for their own.
LANGUAGE_CHOICES = [SelectChoice("en", "English", render_kw={"lang": "en"}),
                    SelectChoice("es", "Español", render_kw={"lang": "es"})]
