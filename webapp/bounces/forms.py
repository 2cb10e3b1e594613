"""The staff pages' forms: GET filters (no token needed to read) and the block form."""
from flask_babel import lazy_gettext as _l
from wtforms import Form, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from webapp.bounces.models import BounceKind
from webapp.form_fields import CoalitionForm, strip

KIND_LABELS = {"": _l("All"), BounceKind.HARD.value: _l("Hard"), BounceKind.SOFT.value: _l("Soft"),
               BounceKind.AUTO_REPLY.value: _l("Auto-reply"), BounceKind.UNPARSED.value: _l("Unreadable")}


class _Paged(Form):
    page = IntegerField(_l("Page"), default=1, validators=[Optional()])

    def chosen_page(self):
        return self.page.data or 1


class SuppressionFilter(_Paged):
    address = StringField(_l("Address"), filters=[strip], validators=[Length(max=254)], default="")


class BounceFilter(SuppressionFilter):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(key, label) for key, label in KIND_LABELS.items()], default="")


class BlockForm(CoalitionForm):
    pattern = StringField(_l("Address, domain or pattern"), filters=[strip], validators=[
        DataRequired(message=_l("Enter an address, a domain or a pattern.")),
        Length(max=254, message=_l("At most 254 characters.")),
        Regexp(r"^\S+$", message=_l("No spaces: one address, domain or pattern at a time.")),
    ])
    note = StringField(_l("Note (why)"), filters=[strip], validators=[Length(max=300)])
    submit = SubmitField(_l("Block"))
