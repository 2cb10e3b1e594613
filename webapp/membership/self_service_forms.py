"""The forms of a person's own page and of the "email me my link" page."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from webapp.form_fields import CoalitionForm, LANGUAGE_CHOICES, strip


def _address_field(label):
    return StringField(label, filters=[strip], validators=[
        DataRequired(_l("Please enter your email address.")), Length(max=254),
        Email(_l("Please enter a valid email address."), check_deliverability=False)])


class LinkRequestForm(CoalitionForm):
    email = _address_field(_l("Your email address"))
    submit = SubmitField(_l("Email me my link"))


class NameForm(CoalitionForm):
    name = StringField(_l("Your name"), filters=[strip],
                       validators=[DataRequired(_l("Please enter your name.")), Length(max=120)])
    submit = SubmitField(_l("Save my name"))


class LanguageForm(CoalitionForm):
    language = SelectField(_l("Language of your emails"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save my language"))


class AddressForm(CoalitionForm):
    email = _address_field(_l("New email address"))
    submit = SubmitField(_l("Change my address"))


class StopAllForm(CoalitionForm):
    submit = SubmitField(_l("Stop all group emails"))
