from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.form_fields import MultiCheckboxField


class ComposeForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Please write a subject.")), Length(max=200)])
    body = TextAreaField(
        _l("Message (Markdown: **bold**, *italic*, [link](https://example.org), - lists)"),
        validators=[DataRequired(_l("Please write the message.")), Length(max=50000)],
    )
    groups = MultiCheckboxField(_l("Send to the members of"), coerce=int,
                                validators=[DataRequired(_l("Choose at least one group."))])
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send to the roster"))


class ActionForm(FlaskForm):
    submit = SubmitField()
