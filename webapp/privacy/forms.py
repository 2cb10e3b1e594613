"""The people pages' forms: the search (a GET filter, no token needed to read) and the erase confirmation."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from webapp.form_fields import CoalitionForm, PageArgs, strip


class PeopleFilter(PageArgs):
    address = StringField(_l("Address"), filters=[strip], validators=[Length(max=254)], default="")


class EraseForm(CoalitionForm):
    understood = BooleanField(_l("I understand this cannot be undone"), validators=[
        DataRequired(message=_l("Tick the box to show that you understand this cannot be undone."))])
    submit = SubmitField(_l("Erase this person"))
