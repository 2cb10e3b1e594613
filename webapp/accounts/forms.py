from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from webapp.form_fields import LANGUAGE_CHOICES


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class AccountForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254),
                                                 Email(check_deliverability=False)])
    password = PasswordField(_l("Password (at least 10 characters)"),
                             validators=[DataRequired(), Length(min=10, max=200)])
    role = SelectField(_l("Role"), choices=[SelectChoice("contact", _l("Contact person")),
                                              SelectChoice("staff", _l("Staff"))])
    submit = SubmitField(_l("Create account"))


class ActiveForm(FlaskForm):
    submit = SubmitField()


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password (at least 10 characters)"),
                        validators=[DataRequired(), Length(min=10, max=200)])
    repeat = PasswordField(_l("New password again"),
                           validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])
    submit = SubmitField(_l("Change my password"))


class EmailPreferencesForm(FlaskForm):
    request_emails = BooleanField(_l("Email me about each new request to my groups, and when another contact "
                                     "decides one"))
    language = SelectField(_l("Language of my pages and emails"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save my email preferences"))
