from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from webapp.accounts import passwords


def _strong(form, field):
    """The password rules of accounts/passwords.py, with the account's own address among them."""
    problem = passwords.problem(field.data or "", getattr(form, "account_email", ""))
    if problem:
        raise ValidationError(problem)


NEW_PASSWORD_HINT = _l("At least 12 characters. Not a common password, a run of keys, your address or the "
                       "coalition's name. A few unrelated words make a good one.")

from webapp.form_fields import CoalitionForm, LANGUAGE_CHOICES


class LoginForm(CoalitionForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class CodeForm(CoalitionForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Continue"))


class ConfirmSignInForm(CoalitionForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Code from your authenticator app, or a recovery code"), validators=[Length(max=40)])
    submit = SubmitField(_l("Continue"))


class ForgotForm(CoalitionForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)])
    submit = SubmitField(_l("Email me a link"))


class ChoosePasswordForm(CoalitionForm):
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200), _strong],
                        description=NEW_PASSWORD_HINT)
    repeat = PasswordField(_l("New password again"),
                           validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])
    submit = SubmitField(_l("Save my password"))

    def __init__(self, account_email, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


ROLES = [SelectChoice("contact", _l("Contact person")), SelectChoice("staff", _l("Staff"))]


class InviteForm(CoalitionForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254),
                                                 Email(check_deliverability=False)])
    role = SelectField(_l("Role"), choices=ROLES)
    submit = SubmitField(_l("Send the invitation"))


class RoleForm(CoalitionForm):
    role = SelectField(_l("Role"), choices=ROLES)
    submit = SubmitField(_l("Change the role"))


class ActiveForm(CoalitionForm):
    submit = SubmitField()


class PasswordForm(CoalitionForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200), _strong],
                        description=NEW_PASSWORD_HINT)
    repeat = PasswordField(_l("New password again"),
                           validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])
    submit = SubmitField(_l("Change my password"))

    def __init__(self, account_email, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class TwoFactorForm(CoalitionForm):
    code = StringField(_l("Code from your authenticator app"), validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class TwoFactorOffForm(CoalitionForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=40)])
    submit = SubmitField(_l("Turn off two-factor sign-in"))


class EmailPreferencesForm(CoalitionForm):
    request_emails = BooleanField(_l("Email me about each new request to my groups, and when another contact "
                                     "decides one"))
    language = SelectField(_l("Language of my pages and emails"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save my email preferences"))
