from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, IntegerField, SelectField
from wtforms.validators import Optional, ValidationError

from webapp.activity.sentences import ACTION_GROUPS


class AuditFilter(Form):
    """The audit log's filters, read from the address (?actor=&action=&group=&since=&until=&page=)."""

    actor = SelectField(_l("Who"), coerce=str, validators=[Optional()])
    action = SelectField(_l("What"), coerce=str, validators=[Optional()])
    group = SelectField(_l("Group"), coerce=str, validators=[Optional()])
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("Until (date, included)"), validators=[Optional()])
    page = IntegerField(_l("Page"), default=1, validators=[Optional()])

    def __init__(self, args, users, groups):
        super().__init__(args)
        self.actor.choices = [("", _l("Anyone"))] + [(str(u.id), f"{u.name} ({u.email})") for u in users]
        self.action.choices = [("", _l("Anything"))] + [(key, label) for key, (label, _a) in ACTION_GROUPS.items()]
        self.group.choices = [("", _l("Any group"))] + [(str(g.id), g.name) for g in groups]

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
