from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, Form, HiddenField, SelectChoice, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from webapp.form_fields import CoalitionForm, strip
from webapp.membership import roster_queries
from webapp.outbox.blocks import is_own_address

NOTE_MAX = 2000


class JoinForm(CoalitionForm):
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


class ConfirmForm(CoalitionForm):
    submit = SubmitField(_l("Confirm"))


REASON_MAX = 1000
REASON_TOO_LONG = _l("The reason is too long (at most 1,000 characters).")
DECISIONS = ("approve", "decline", "spam")


class DecisionForm(CoalitionForm):
    reason = TextAreaField(_l("Reason (optional, shown to the applicant)"),
                           validators=[Optional(), Length(max=REASON_MAX, message=REASON_TOO_LONG)])
    approve = SubmitField(_l("Approve"))
    decline = SubmitField(_l("Decline"))
    spam = SubmitField(_l("Discard as spam"))
    next = HiddenField()

    def decision(self):
        """Which button was pressed: "approve", "decline", "spam", or None."""
        for name in DECISIONS:
            if self[name].data:
                return name
        return None


class BulkDecisionForm(DecisionForm):
    """The requests ticked on the review page, and what to do with all of them."""

    ids = SelectMultipleField(coerce=int, validate_choice=False,
                              validators=[DataRequired(_l("Select at least one request."))])
    reason = TextAreaField(_l("Reason for the selected requests (optional, shown to each applicant; never sent "
                              "with spam)"), validators=[Optional(), Length(max=REASON_MAX, message=REASON_TOO_LONG)])
    approve = SubmitField(_l("Approve selected"))
    decline = SubmitField(_l("Decline selected"))
    spam = SubmitField(_l("Discard selected as spam"))

    def well_formed(self, most):
        """What the page itself can send: whole-number ids, not more than `most`, and one of the buttons."""
        ids = self.ids.data or ()
        return (not self.ids.process_errors and len(ids) <= most and all(0 < i < 2**31 for i in ids)
                and self.decision() is not None)


class RemoveForm(CoalitionForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=1000)])
    tell_member = BooleanField(_l("Email the member that they were removed, with the reason"))
    submit = SubmitField(_l("Remove from group"))


class LeaveForm(CoalitionForm):
    submit = SubmitField(_l("Leave this group"))


ROSTER_TAB_LABELS = {"active": _l("Active"), "pending": _l("Pending"), "left": _l("Left"), "removed": _l("Removed"),
                     "declined": _l("Declined"), "bouncing": _l("Bouncing")}
ROSTER_SORT_LABELS = {"name": _l("Name"), "organization": _l("Organization"), "date": _l("Date joined or changed")}
ROSTER_ORDER_LABELS = {"asc": _l("Ascending"), "desc": _l("Descending")}
SELECTION_MAX = 1000  # a page shows fifty; more is not something the page sends


def _choices(labels, keys=None):
    return [SelectChoice(key, labels[key]) for key in keys or labels]


class RosterView(Form):
    """What the roster shows, from the query string: a tab, a search, an order and where the page starts.

    A choice not offered does not validate (the view's 400). A page is found by the member it starts after
    (?after=) or ends before (?before=, or "end" for the last page): a cursor that is not one of the group's
    memberships shows the first page. There are no page numbers (reaching page n would read all before it).
    """

    tab = SelectField(_l("Show"), choices=_choices(ROSTER_TAB_LABELS, roster_queries.TABS), default="active")
    q = StringField(_l("Search"), filters=[strip], validators=[Length(max=200)], default="")
    sort = SelectField(_l("Sort by"), choices=_choices(ROSTER_SORT_LABELS, roster_queries.SORTS), default="name")
    order = SelectField(_l("Order"), choices=_choices(ROSTER_ORDER_LABELS), default="asc")
    after = StringField(default="")
    before = StringField(default="")

    def choices(self):
        """The arguments of roster_queries.page() but the total."""
        return {"tab": self.tab.data, "search": self.q.data, "sort": self.sort.data,
                "descending": self.order.data == "desc", **self.position()}

    def position(self):
        """{"after": id} or {"before": id or "end"}, or {} for the first page; what is not a cursor is ignored."""
        for name in ("before", "after"):
            value = (self[name].data or "").strip()
            if name == "before" and value == "end":
                return {"before": "end"}
            if value.isascii() and value.isdigit() and 0 < int(value) < 2**31:
                return {name: int(value)}
        return {}

    def kept(self, position=False):
        """The query arguments that differ from the defaults, for links that keep them (and the page's place)."""
        kept = {name: self[name].data for name in ("tab", "q", "sort", "order") if self[name].data != self[name].default}
        return {**kept, **self.position()} if position else kept


class RosterSelection(CoalitionForm):
    """The members ticked on the roster, and what to do with them."""

    selected = SelectMultipleField(coerce=int, validate_choice=False)
    # Asked on the confirmation page that "remove" shows; "confirm" is its button.
    reason = TextAreaField(_l("Reason (optional)"),
                           validators=[Optional(), Length(max=REASON_MAX, message=REASON_TOO_LONG)])
    tell_members = BooleanField(_l("Email each member that they were removed, with the reason"))
    remove = SubmitField(_l("Remove the selected members"))
    confirm = SubmitField()
    export = SubmitField(_l("Download the selected members (CSV)"))

    def well_formed(self):
        """What the pages themselves can send: membership numbers (at most SELECTION_MAX) and one of the buttons."""
        ids = self.selected.data or ()
        return (not self.selected.process_errors and len(ids) <= SELECTION_MAX and all(0 < i < 2**31 for i in ids)
                and bool(self.remove.data or self.confirm.data or self.export.data))
