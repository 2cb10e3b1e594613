"""What each audit row is about, named and linked: one query per kind of target on the page.

A row's target is "<kind>:<id>" (or an address); its actor an account id, or
a person's address. Each feature answers for its own rows.
"""
from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from webapp.accounts import services as accounts
from webapp.audit.services import ERASED_ACTOR
from webapp.groups import services as groups
from webapp.mailing import services as mailing
from webapp.membership import queries as membership
from webapp.organizations import services as organizations


def _link(text, url):
    # % escapes each argument as .format() would, without its Python-level formatter (a link a row).
    return Markup('<a href="%s">%s</a>') % (url, text) if url else escape(text)


def _split(target):
    kind, _sep, ident = (target or "").partition(":")
    return kind, (int(ident) if ident.isdigit() else ident)


class Names:
    """The names and links of every account, membership, group, message, organization and person the rows name.

    Six queries, whatever the rows: a kind with nothing to name still asks (for nothing), so that every
    page of the log costs the same.
    """

    def __init__(self, events):
        wanted = {}
        for event in events:
            kind, ident = _split(event.target)
            wanted.setdefault(kind, set()).add(ident)
            for group_id in event.details.get("groups", []) if isinstance(event.details, dict) else []:
                wanted.setdefault("group", set()).add(group_id)
        numbers = {kind: {i for i in ids if isinstance(i, int)} for kind, ids in wanted.items()}
        self.users = accounts.names_by_id(numbers.get("user", set()) | {e.actor_id for e in events if e.actor_id})
        self.memberships = membership.for_audit(numbers.get("membership", set()))
        self.groups = groups.by_ids(numbers.get("group", set()))
        self.messages = mailing.subjects(numbers.get("message", set()))
        self.organizations = organizations.names_by_id(numbers.get("organization", set()))
        self.people = membership.people_names(numbers.get("person", set()))

    def actor(self, event):
        if event.actor_id is not None:
            return escape(self.users.get(event.actor_id, event.actor_label or _("a deleted account")))
        if event.actor_label == ERASED_ACTOR:
            return escape(_("An erased person"))
        if event.actor_label == "cli":
            return escape(_("A scheduled task"))
        return escape(event.actor_label or _("Someone"))

    def about(self, event):
        """{placeholder: Markup} for the row's sentence, and the link to what it is about (or None)."""
        kind, ident = _split(event.target)
        values, url = {}, None
        if kind == "membership" and ident in self.memberships:
            person, group = self.memberships[ident]
            url = url_for("membership.history", membership_id=ident)
            values.update(person=_link(person, url), group=_link(group.name, url_for("membership.group_page",
                                                                                     slug=group.slug)))
        elif kind == "membership":
            values.update(person=escape(_("a person whose data was deleted")), group=escape(_("a group")))
        elif kind == "group":
            group = self.groups.get(ident)
            if group:
                url = url_for("membership.roster", slug=group.slug)
            values["group"] = _link(group.name, url) if group else escape(_("a deleted group"))
        elif kind == "message":
            url = url_for("mailing.show", message_id=ident) if ident in self.messages else None
            values["subject"] = _link(self.messages.get(ident, _("a deleted message")), url)
        elif kind == "user":
            values["user"] = escape(self.users.get(ident, _("a deleted account")))
        elif kind == "organization":
            url = url_for("organizations.edit", organization_id=ident) if ident in self.organizations else None
            values["organization"] = _link(self.organizations.get(ident, _("a deleted organization")), url)
        elif kind == "person":
            url = url_for("privacy.person", person_id=ident) if ident in self.people else None
            values["person"] = _link(self.people.get(ident, _("a deleted person")), url)
        elif kind in ("address", "block"):
            values["address"] = escape(ident)
        if kind == "delivery":
            values["address"] = escape(event.details.get("address", "") if isinstance(event.details, dict) else "")
        values["count"] = escape(event.details.get("count", "") if isinstance(event.details, dict) else "")
        return values, url
