from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from webapp.form_fields import CoalitionForm, strip


class OrganizationForm(CoalitionForm):
    name = StringField(_l("Name"), filters=[strip],
                       validators=[DataRequired(_l("Please give the organization's name.")), Length(max=200)])
    website = StringField(
        _l("Website"), filters=[strip],
        validators=[Optional(), Length(max=300),
                    Regexp(r"^https?://[^\s]+$", message=_l("Give a full address starting with https://"))],
    )
    location = StringField(_l("Location (city, state)"), filters=[strip], validators=[Optional(), Length(max=120)])
    kind = StringField(_l("Kind (e.g. legal services, law office, clinic)"), filters=[strip],
                       validators=[Optional(), Length(max=60)])
    coalition_status = SelectField(_l("In the coalition"), choices=[
        SelectChoice("applicant", _l("Applicant: asked, not yet a member")),
        SelectChoice("member", _l("Member")),
        SelectChoice("former", _l("Former member")),
    ])
    listed = BooleanField(_l("The organization agreed to be listed on the public page"))
    submit = SubmitField(_l("Save the organization"))
