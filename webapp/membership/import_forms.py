"""The forms that bring members in: a CSV file, its confirmation, and one person by hand."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from webapp.form_fields import CoalitionForm, strip
from webapp.outbox.blocks import is_own_address


class ImportForm(CoalitionForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))])
    welcome = BooleanField(_l("Send a welcome email to each new member"))
    submit = SubmitField(_l("Preview the import"))


class ConfirmImportForm(CoalitionForm):
    # The preview's rows, signed (see imports.py): the importer cannot change them on the way back.
    payload = HiddenField()
    submit = SubmitField(_l("Import these members"))


class AddMemberForm(CoalitionForm):
    """The join form's checks on a name and an address, typed by a contact or staff."""

    name = StringField(_l("Full name"), filters=[strip],
                       validators=[DataRequired(_l("Please enter their name.")), Length(max=120)])
    email = StringField(
        _l("Email"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter their email address.")), Length(max=254),
                    Email(_l("Please enter a valid email address."), check_deliverability=False)],
    )
    organization = StringField(_l("Organization (optional)"), filters=[strip], validators=[Optional(), Length(max=200)])
    role_title = StringField(_l("Role or title (optional)"), filters=[strip], validators=[Optional(), Length(max=120)])
    welcome = BooleanField(_l("Send them a welcome email"))
    submit = SubmitField(_l("Add to the group"))

    def validate_email(self, field):
        if field.data and is_own_address(field.data):
            raise ValidationError(_l("This is the group system's own address; it cannot be a member."))
