"""The emails membership sends, rendered in the recipient's language and handed to the outbox."""
from email.utils import formataddr
from types import SimpleNamespace

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.links import public_url
from webapp.membership.tokens import address_change_token, confirmation_token, member_token
from webapp.bounces.scoring import started_bouncing
from webapp.outbox.blocks import is_own_address
from webapp.outbox.services import notify


def _send(person_or_user, language, subject, template, reply_to="", **context):
    with force_locale(language or "en"):
        text = render_template(
            f"email/membership/{template}.txt", coalition_name=current_app.config["COALITION_NAME"], **context
        )
        notify(person_or_user.email, person_or_user.name, subject(), text, reply_to=reply_to)


def _their_language(person):
    # Links open their pages in the email's language, whatever the browser they open them in prefers.
    return {"lang": person.language} if person.language not in (None, "", "en") else {}


def _member_url(person):
    return public_url("me.member_page", token=member_token(person), **_their_language(person))


def confirm_your_request(membership):
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("Confirm your request to join %(group)s", group=group.shown_name),
          "confirm", person=person, group=group,
          confirm_url=public_url("membership.confirm", token=confirmation_token(membership), **_their_language(person)),
          hours=current_app.config["CONFIRM_LINK_HOURS"], member_url=_member_url(person))


def request_still_waiting(membership):
    """Someone asked again with the address of a pending request: its owner is told it still waits."""
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("Your request to join %(group)s is waiting", group=group.shown_name),
          "still_waiting", person=person, group=group, member_url=_member_url(person))


def already_a_member(membership):
    """Someone asked to join with the address of an active member: its owner is told, with their own page."""
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("You are already a member of %(group)s", group=group.shown_name),
          "already_member", person=person, group=group, member_url=_member_url(person))


def request_received(membership):
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("We received your request to join %(group)s", group=group.shown_name),
          "received", person=person, group=group, member_url=_member_url(person))


def _to_contacts_following_requests(group, subject, template, but=None, **context):
    """Each of the group's contacts who get an email per request (not those who chose the daily reminder only),
    but `but`, in their language, with the group's review queue and their email preferences linked."""
    review_url = public_url("review.group", slug=group.slug)
    for contact in group.contacts:
        if contact.request_emails and (but is None or contact.id != but.id):
            _send(contact, contact.language, subject, template, contact=contact, group=group, review_url=review_url,
                  preferences_url=public_url("accounts.email_preferences"), **context)


def new_request_for_contacts(membership):
    group = membership.group
    _to_contacts_following_requests(group, lambda: _("New request to join %(group)s: %(name)s",
                                                     group=group.shown_name, name=membership.person.name),
                                    "new_request", membership=membership)


def withdrawn_for_contacts(membership):
    """The contacts told of a pending request learn it was taken back."""
    group = membership.group
    _to_contacts_following_requests(group, lambda: _("%(group)s: %(name)s took back their request",
                                                     group=group.shown_name, name=membership.person.name),
                                    "withdrawn", membership=membership)


def approved(membership):
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("Welcome to %(group)s", group=group.shown_name),
          "approved", person=person, group=group, reason=membership.decision_reason,
          member_url=_member_url(person))


def welcome(membership):
    approved(membership)


def declined(membership):
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("Your request to join %(group)s", group=group.shown_name),
          "declined", person=person, group=group, reason=membership.decision_reason, member_url=_member_url(person))


def removed(membership, reason, actor):
    """The member is told they were removed from the group, with the reason if one was given.

    The email invites a reply: it goes to the contact who removed them, or to the group's listed contact
    when staff did (or to the staff member, for a group with no contact), never to the app.
    """
    person, group = membership.person, membership.group
    answerer = actor if actor in group.contacts else (group.listed_contact or actor)
    reply_to = "" if is_own_address(answerer.email) else formataddr((answerer.name, answerer.email))
    _send(person, person.language, lambda: _("You were removed from %(group)s", group=group.shown_name),
          "removed", reply_to=reply_to, person=person, group=group, reason=reason, member_url=_member_url(person))


def _decided_subject(decision, actor, group, memberships):
    if len(memberships) > 1:
        return ngettext("%(group)s: %(actor)s decided %(num)d request", "%(group)s: %(actor)s decided %(num)d requests",
                        len(memberships), group=group.shown_name, actor=actor.name)
    name = memberships[0].person.name
    if decision == "approve":
        return _("%(group)s: %(actor)s approved %(name)s", group=group.shown_name, actor=actor.name, name=name)
    if decision == "decline":
        return _("%(group)s: %(actor)s declined %(name)s", group=group.shown_name, actor=actor.name, name=name)
    return _("%(group)s: %(actor)s discarded %(name)s as spam", group=group.shown_name, actor=actor.name, name=name)


def decided_for_other_contacts(actor, decision, memberships, reason=""):
    """Each group's other contacts (not the one who decided) get one notice of what `actor` decided."""
    by_group = {}
    for membership in memberships:
        by_group.setdefault(membership.group, []).append(membership)
    for group, decided in by_group.items():
        _to_contacts_following_requests(
            group, lambda: _decided_subject(decision, actor, group, decided), "decided", but=actor, actor=actor,
            decision=decision, memberships=decided, reason=reason if decision != "spam" else "")


def reminder(contact, waiting):
    """One email listing the requests that waited too long in each of the contact's groups ({group: [membership]})."""
    count = sum(len(requests) for requests in waiting.values())
    _send(contact, contact.language, lambda: ngettext("%(num)d request is waiting for your review",
                                          "%(num)d requests are waiting for your review", count),
          "reminder", contact=contact, waiting={
              group: (requests, public_url("review.group", slug=group.slug)) for group, requests in waiting.items()},
          days=current_app.config["REMIND_AFTER_DAYS"])


@started_bouncing.connect
def bouncing_for_contacts(sender, addresses, **extra):
    """Each group's contacts get one email listing its members whose address started bouncing."""
    from webapp.membership.queries import active_memberships_of_addresses

    by_group = {}
    for membership in active_memberships_of_addresses(addresses):
        by_group.setdefault(membership.group, []).append(membership.person)
    for group, people in by_group.items():
        roster_url = public_url("membership.roster", slug=group.slug)
        for contact in group.contacts:
            _send(contact, contact.language, lambda: ngettext("Mail to %(num)d member of %(group)s is bouncing",
                                                  "Mail to %(num)d members of %(group)s is bouncing",
                                                  len(people), group=group.shown_name),
                  "bouncing", contact=contact, group=group, people=people, roster_url=roster_url)


def your_link(person):
    """The link to their page, which they asked for; it replaces the links sent before."""
    _send(person, person.language, lambda: _("Your link to your groups"), "your_link", person=person,
          member_url=_member_url(person))


def confirm_new_address(person, new_address):
    """To the new address: the link that makes the change; nothing changes until it is used."""
    recipient = SimpleNamespace(email=new_address, name=person.name)
    url = public_url("me.confirm_address", token=address_change_token(person),
                     **_their_language(person))
    _send(recipient, person.language, lambda: _("Confirm your new email address"), "confirm_address",
          person=person, new_address=new_address, confirm_url=url, hours=current_app.config["CONFIRM_LINK_HOURS"])


def address_changed(person, old_address):
    """To the old address, once the change is made: so that a change nobody asked for does not go unseen."""
    recipient = SimpleNamespace(email=old_address, name=person.name)
    _send(recipient, person.language, lambda: _("Your email address for the groups was changed"), "address_changed",
          person=person, old_address=old_address)
