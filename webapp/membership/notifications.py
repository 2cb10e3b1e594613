"""The emails membership sends, rendered in the recipient's language and handed to the outbox."""
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.links import public_url
from webapp.membership.tokens import confirmation_token, member_token
from webapp.bounces.scoring import started_bouncing
from webapp.outbox.services import notify


def _send(person_or_user, language, subject, template, **context):
    with force_locale(language or "en"):
        text = render_template(
            f"email/membership/{template}.txt", coalition_name=current_app.config["COALITION_NAME"], **context
        )
        notify(person_or_user.email, person_or_user.name, subject(), text)


def _their_language(person):
    # Links open their pages in the email's language, whatever the browser they open them in prefers.
    return {"lang": person.language} if person.language not in (None, "", "en") else {}


def confirm_your_request(membership):
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("Confirm your request to join %(group)s", group=group.name),
          "confirm", person=person, group=group,
          confirm_url=public_url("membership.confirm", token=confirmation_token(membership), **_their_language(person)),
          hours=current_app.config["CONFIRM_LINK_HOURS"])


def request_received(membership):
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("We received your request to join %(group)s", group=group.name),
          "received", person=person, group=group)


def new_request_for_contacts(membership):
    group = membership.group
    review_url = public_url("review.group", slug=group.slug)
    for contact in group.contacts:
        if not contact.request_emails:
            continue  # they chose the daily reminder only
        _send(contact, "en", lambda: _("New request to join %(group)s: %(name)s",
                                       group=group.name, name=membership.person.name),
              "new_request", contact=contact, membership=membership, group=group, review_url=review_url,
              preferences_url=public_url("accounts.email_preferences"))


def approved(membership):
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("Welcome to %(group)s", group=group.name),
          "approved", person=person, group=group, reason=membership.decision_reason,
          member_url=public_url("membership.member_page", token=member_token(person.id), **_their_language(person)))


def welcome(membership):
    approved(membership)


def declined(membership):
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("Your request to join %(group)s", group=group.name),
          "declined", person=person, group=group, reason=membership.decision_reason)


def removed(membership, reason):
    """The member is told they were removed from the group, with the reason if one was given."""
    person, group = membership.person, membership.group
    _send(person, person.language, lambda: _("You were removed from %(group)s", group=group.name),
          "removed", person=person, group=group, reason=reason)


def _decided_subject(decision, actor, group, memberships):
    if len(memberships) > 1:
        return ngettext("%(group)s: %(actor)s decided %(num)d request", "%(group)s: %(actor)s decided %(num)d requests",
                        len(memberships), group=group.name, actor=actor.name)
    name = memberships[0].person.name
    if decision == "approve":
        return _("%(group)s: %(actor)s approved %(name)s", group=group.name, actor=actor.name, name=name)
    if decision == "decline":
        return _("%(group)s: %(actor)s declined %(name)s", group=group.name, actor=actor.name, name=name)
    return _("%(group)s: %(actor)s discarded %(name)s as spam", group=group.name, actor=actor.name, name=name)


def decided_for_other_contacts(actor, decision, memberships, reason=""):
    """Each group's other contacts (not the one who decided) get one notice of what `actor` decided."""
    by_group = {}
    for membership in memberships:
        by_group.setdefault(membership.group, []).append(membership)
    for group, decided in by_group.items():
        review_url = public_url("review.group", slug=group.slug)
        for contact in group.contacts:
            if contact.id == actor.id or not contact.request_emails:
                continue
            _send(contact, "en", lambda: _decided_subject(decision, actor, group, decided), "decided",
                  contact=contact, actor=actor, decision=decision, group=group, memberships=decided,
                  reason=reason if decision != "spam" else "", review_url=review_url,
                  preferences_url=public_url("accounts.email_preferences"))


def reminder(contact, waiting):
    """One email listing the requests that waited too long in each of the contact's groups ({group: [membership]})."""
    count = sum(len(requests) for requests in waiting.values())
    _send(contact, "en", lambda: ngettext("%(num)d request is waiting for your review",
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
            _send(contact, "en", lambda: ngettext("Mail to %(num)d member of %(group)s is bouncing",
                                                  "Mail to %(num)d members of %(group)s is bouncing",
                                                  len(people), group=group.name),
                  "bouncing", contact=contact, group=group, people=people, roster_url=roster_url)
