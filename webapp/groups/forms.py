from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from webapp.form_fields import CoalitionForm, MultiCheckboxField, strip


def _user_id_or_none(value):
    return int(value) if value not in (None, "") else None


class ContactsForm(CoalitionForm):
    contacts = MultiCheckboxField(_l("Contact people"), coerce=int)
    # Any active account may be chosen; the service refuses one that is not among the contacts.
    listed = SelectField(_l("Named on the public page"), coerce=_user_id_or_none, validate_choice=False)
    submit = SubmitField(_l("Save contacts"))


class GroupForm(CoalitionForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(_l("Please give the group a name.")),
                                                                Length(max=120)])
    slug = StringField(
        _l("Address on the site (letters, digits and dashes)"), filters=[strip],
        validators=[DataRequired(_l("Please give the group an address.")), Length(max=80),
                    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                           message=_l("Use lower-case letters, digits and single dashes, e.g. youth-organizing."))],
    )
    summary = StringField(_l("One-line summary"), filters=[strip], validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    accomplishments = TextAreaField(_l("Accomplishments (one per line)"), validators=[Optional(), Length(max=10000)])
    name_es = StringField(_l("Name in Spanish"), filters=[strip], validators=[Optional(), Length(max=120)])
    summary_es = StringField(_l("One-line summary in Spanish"), filters=[strip],
                             validators=[Optional(), Length(max=300)])
    description_es = TextAreaField(_l("Description in Spanish"), validators=[Optional(), Length(max=10000)])
    accomplishments_es = TextAreaField(_l("Accomplishments in Spanish (one per line)"),
                                       validators=[Optional(), Length(max=10000)])
    join_policy = SelectField(_l("Who may join"), choices=[
        SelectChoice("moderated", _l("Moderated: a contact person approves each request")),
        SelectChoice("open", _l("Open: confirming the email address is enough")),
        SelectChoice("closed", _l("Closed: not taking requests")),
    ])
    active = BooleanField(_l("Active (listed in the directory)"), default=True)
    submit = SubmitField(_l("Save the group"))
