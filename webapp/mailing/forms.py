from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, MultipleFileField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.form_fields import CoalitionForm, MultiCheckboxField


class ComposeForm(CoalitionForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Please write a subject.")), Length(max=200)])
    body = TextAreaField(
        _l("Message (Markdown: **bold**, *italic*, [link](https://example.org), - lists)"),
        validators=[DataRequired(_l("Please write the message.")), Length(max=50000)],
    )
    groups = MultiCheckboxField(_l("Send to the members of"), coerce=int,
                                validators=[DataRequired(_l("Choose at least one group."))])
    # The choices (the author, then the contacts of the groups they write to) are set by the view.
    reply_to = SelectField(_l("Replies go to"), validate_choice=True)
    send_at = DateTimeLocalField(_l("Send later (optional)"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                 validators=[Optional()], invalid_value_message=_l(
                                     "Please give a date and a time, such as 2026-12-01 09:30."))
    attachments = MultipleFileField(_l("Attach files (optional)"))
    remove_attachments = MultiCheckboxField(_l("Remove these attachments"), coerce=int, validators=[Optional()])
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save as a draft"))
    test = SubmitField(_l("Send a test to myself"))
    send = SubmitField(_l("Send to the roster"))


class ActionForm(CoalitionForm):
    submit = SubmitField()
