from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A list of labelled checkboxes: usable without JavaScript, unlike a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ContactsForm(FlaskForm):
    contacts = MultiCheckboxField(_l("Contact people"), coerce=int)
    submit = SubmitField(_l("Save contacts"))
