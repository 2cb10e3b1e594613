"""What every feature's forms share: a filter, a field and the page number of a list."""
from flask_babel import lazy_gettext as _l
from wtforms import Form, IntegerField, SelectChoice, SelectMultipleField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget


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
