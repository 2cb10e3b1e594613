from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from webapp.form_fields import strip
from webapp.outbox.blocks import is_own_address

NOTE_MAX = 2000


class JoinForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[strip],
                       validators=[DataRequired(_l("Please enter your name.")), Length(max=120)])
    email = StringField(
        _l("Email"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter your email address.")), Length(max=254),
                    Email(_l("Please enter a valid email address."), check_deliverability=False)],
    )
    organization = StringField(_l("Organization"), filters=[strip], validators=[Optional(), Length(max=200)])
    role_title = StringField(_l("Role or title (optional)"), validators=[Optional(), Length(max=120)])
    note = TextAreaField(
        _l("Why do you want to join? (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX, message=_l("Please keep the note under %(max)d characters.",
                                                                max=NOTE_MAX))],
    )
    consent = BooleanField(
        _l("I agree to be contacted by email about this working group."),
        validators=[DataRequired(_l("We need your agreement to email you about the group."))],
    )
    submit = SubmitField(_l("Request to join"))

    def validate_email(self, field):
        if field.data and is_own_address(field.data):
            raise ValidationError(_l("This is the group system's own address. Please give your own address."))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional, shown to the applicant)"), validators=[Optional(), Length(max=1000)])
    approve = SubmitField(_l("Approve"))
    decline = SubmitField(_l("Decline"))


class RemoveForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Remove from group"))


class LeaveForm(FlaskForm):
    submit = SubmitField(_l("Leave this group"))
