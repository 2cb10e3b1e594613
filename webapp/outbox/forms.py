"""The filters of the pages that list deliveries: plain GET forms, no token needed to read."""
from flask_babel import lazy_gettext as _l
from wtforms import Form, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from webapp.form_fields import strip
from webapp.outbox.models import EmailKind
from webapp.outbox.queries import STATUS_FILTERS

STATUS_LABELS = {
    "": _l("All"), "failed": _l("Failed or set aside"), "queued": _l("Queued"), "sending": _l("Sending"),
    "sent": _l("Sent"), "suppressed": _l("Unsubscribed"), "cancelled": _l("Cancelled"), "dead": _l("Set aside"),
}
KIND_LABELS = {"": _l("All"), EmailKind.NOTICE.value: _l("Notice"), EmailKind.ROSTER.value: _l("Roster message")}


class DeliveryFilter(Form):
    """Which deliveries a page shows: a status filter and a page number (out of range means the nearest page)."""

    status = SelectField(_l("Status"), choices=[SelectChoice(key, STATUS_LABELS[key]) for key in ("", *STATUS_FILTERS)],
                         default="")
    page = IntegerField(_l("Page"), default=1, validators=[Optional()])

    def chosen_page(self):
        return self.page.data or 1


class MailFilter(DeliveryFilter):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(key, label) for key, label in KIND_LABELS.items()], default="")
    address = StringField(_l("Address"), filters=[strip], validators=[Length(max=254)], default="")
