"""A person looks after themself from the link in their emails: withdraw, leave, stop all, name, language, address."""
import re

import sqlalchemy as sa

from tests.conftest import links_in, login, membership_of
from tests.mailing.sending import send_message
from webapp.audit.models import AuditEvent
from webapp.extensions import db
from webapp.membership.models import Person, Status
from webapp.membership.services import UNSUBSCRIBE_LABEL
from webapp.membership.tokens import member_token

FORM = {"name": "Rosa Applicant", "email": "rosa@example.org", "organization": "", "role_title": "",
        "note": "", "consent": "y"}


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def page_link(message):
    (link,) = [u for u in links_in(message.text()) if "/me/" in u]
    return path_of(link)


def ask(client, deliver, mailbox, slug="defensive-support", **fields):
    mailbox.clear()
    assert client.post(f"/groups/{slug}", data={**FORM, **fields}).status_code == 302
    deliver()
    (message,) = mailbox.to(fields.get("email", FORM["email"]))
    return message


def confirm(client, message):
    (link,) = [u for u in links_in(message.text()) if "/confirm/" in u]
    return client.post(path_of(link))


def test_the_confirmation_email_links_to_their_page_where_an_unconfirmed_request_is_taken_back(
        client, make, mailbox, deliver):
    group = make.group()
    message = ask(client, deliver, mailbox)
    page = client.get(page_link(message)).get_data(as_text=True)
    assert "Defensive Support" in page and "Unconfirmed" in page
    assert "Take back my request to join Defensive Support" in page
    membership = membership_of(group, "rosa@example.org")
    done = client.post(f"{page_link(message)}/withdraw/{membership.id}", follow_redirects=True)
    assert "You took back your request to join Defensive Support" in done.get_data(as_text=True)
    membership = membership_of(group, "rosa@example.org")
    assert membership.status == Status.WITHDRAWN
    assert [(e.from_status, e.to_status, e.actor_label) for e in membership.events][-1] == (
        Status.UNCONFIRMED, Status.WITHDRAWN, "applicant")
    assert "Withdrawn" in done.get_data(as_text=True)
    # The confirmation link it was sent no longer joins anyone.
    assert confirm(client, message).status_code == 410
    assert membership_of(group, "rosa@example.org").status == Status.WITHDRAWN


def test_a_pending_request_is_taken_back_and_may_be_asked_again_later(client, make, mailbox, deliver):
    contact = make.user(email="dalia@example.org")
    group = make.group(contacts=[contact])
    confirm(client, ask(client, deliver, mailbox))
    mailbox.clear()
    deliver()
    (received,) = [m for m in mailbox.to("rosa@example.org")]
    assert "We received your request" in received.subject
    membership = membership_of(group, "rosa@example.org")
    assert membership.status == Status.PENDING
    client.post(f"{page_link(received)}/withdraw/{membership.id}")
    assert membership_of(group, "rosa@example.org").status == Status.WITHDRAWN
    # A second press (another tab) changes nothing and says so.
    again = client.post(f"{page_link(received)}/withdraw/{membership.id}", follow_redirects=True)
    assert "decided already, or taken back" in again.get_data(as_text=True)
    # Later they ask again: a new confirmation, and once confirmed the history keeps every step.
    message = ask(client, deliver, mailbox)
    assert "Confirm your request to join Defensive Support" in message.subject
    assert membership_of(group, "rosa@example.org").status == Status.WITHDRAWN  # until they confirm
    confirm(client, message)
    statuses = [e.to_status for e in membership_of(group, "rosa@example.org").events]
    assert statuses == [Status.UNCONFIRMED, Status.PENDING, Status.WITHDRAWN, Status.UNCONFIRMED, Status.PENDING]


def test_the_contacts_who_were_told_of_a_request_are_told_when_it_is_taken_back(client, make, mailbox, deliver):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    rachel = make.user(name="Rachel Contact", email="rachel@example.org")
    rachel.language = "es"
    quiet = make.user(name="Quiet Contact", email="quiet@example.org")
    quiet.request_emails = False  # the daily reminder only: it never named this request
    group = make.group(contacts=[dalia, rachel, quiet])
    db.session.commit()
    confirm(client, ask(client, deliver, mailbox))
    mailbox.clear()
    deliver()
    (received,) = mailbox.to("rosa@example.org")
    mailbox.clear()
    client.post(f"{page_link(received)}/withdraw/{membership_of(group, 'rosa@example.org').id}")
    deliver()
    (notice,) = mailbox.to("dalia@example.org")
    assert notice.subject == "Defensive Support: Rosa Applicant took back their request"
    assert "Rosa Applicant <rosa@example.org> took back their request to join Defensive Support" in notice.text()
    assert "/groups/defensive-support/review" in notice.text()
    (spanish,) = mailbox.to("rachel@example.org")
    assert "retiró su solicitud" in spanish.subject
    assert mailbox.to("quiet@example.org") == [] and mailbox.to("rosa@example.org") == []


def test_an_unconfirmed_request_taken_back_tells_no_contact(client, make, mailbox, deliver):
    group = make.group(contacts=[make.user(email="dalia@example.org")])
    message = ask(client, deliver, mailbox)
    mailbox.clear()
    client.post(f"{page_link(message)}/withdraw/{membership_of(group, 'rosa@example.org').id}")
    deliver()
    assert mailbox.to("dalia@example.org") == []


def test_an_active_membership_cannot_be_withdrawn_nor_a_pending_one_left(client, make):
    group = make.group()
    ana = make.member(group, email="ana@example.org")
    other = make.member(make.group(slug="youth", name="Youth Organizing"), email="ana@example.org", status="pending")
    url = f"/me/{member_token(ana.person)}"
    client.post(f"{url}/withdraw/{ana.id}")
    client.post(f"{url}/leave/{other.id}")
    assert membership_of(group, "ana@example.org").status == Status.ACTIVE
    db.session.expire_all()
    assert db.session.get(type(other), other.id).status == Status.PENDING


def test_the_welcome_email_links_to_the_page_that_stops_all_group_email(client, make, mailbox, deliver):
    contact = make.user(email="dalia@example.org")
    group = make.group(contacts=[contact], policy="open")
    youth = make.group(slug="youth", name="Youth Organizing")
    make.member(youth, email="rosa@example.org")
    confirm(client, ask(client, deliver, mailbox))
    mailbox.clear()
    deliver()
    (welcome,) = mailbox.to("rosa@example.org")
    page = client.get(page_link(welcome)).get_data(as_text=True)
    assert "Stop all group emails" in page
    done = client.post(f"{page_link(welcome)}/stop", follow_redirects=True).get_data(as_text=True)
    assert "You left 2 groups" in done
    for g in (group, youth):
        membership = membership_of(g, "rosa@example.org")
        assert membership.status == Status.LEFT and membership.events[-1].actor_label == UNSUBSCRIBE_LABEL


def test_they_change_their_name_and_a_bad_one_is_refused_with_a_message(client, make):
    ana = make.member(make.group(), name="Ana M", email="ana@example.org")
    url = f"/me/{member_token(ana.person)}"
    refused = client.post(f"{url}/name", data={"name": "  "})
    assert refused.status_code == 400 and "Please enter your name." in refused.get_data(as_text=True)
    too_long = client.post(f"{url}/name", data={"name": "x" * 121})
    assert too_long.status_code == 400
    db.session.expire_all()
    assert db.session.get(Person, ana.person_id).name == "Ana M"
    saved = client.post(f"{url}/name", data={"name": "Ana Morales"}, follow_redirects=True)
    assert "Your name is saved." in saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, ana.person_id).name == "Ana Morales"


def test_the_language_they_choose_is_the_language_of_their_next_email(client, make, mailbox, deliver):
    make.group()
    make.group(slug="youth", name="Youth Organizing")
    message = ask(client, deliver, mailbox)
    assert client.post(f"{page_link(message)}/language", data={"language": "fr"}).status_code == 400
    client.post(f"{page_link(message)}/language", data={"language": "es"})
    assert db.session.scalar(sa.select(Person.language).where(Person.email == "rosa@example.org")) == "es"
    spanish = ask(client, deliver, mailbox, slug="youth")
    assert spanish.subject == "Confirma tu solicitud para unirte a Youth Organizing"
    assert "?lang=es" in page_link(spanish)


def _ask_new_address(client, url, address, mailbox, deliver):
    mailbox.clear()
    response = client.post(f"{url}/address", data={"email": address})
    deliver()
    return response


def test_a_new_address_changes_only_when_confirmed_from_it_and_the_old_one_is_told(client, make, mailbox, deliver):
    ana = make.member(make.group(), name="Ana Morales", email="ana@example.org")
    url = f"/me/{member_token(ana.person)}"
    response = _ask_new_address(client, url, "Ana.New@Example.com ", mailbox, deliver)
    assert response.status_code == 302
    (message,) = mailbox.messages
    assert message.rcpt_tos == ["ana.new@example.com"] and message.subject == "Confirm your new email address"
    db.session.expire_all()
    assert db.session.get(Person, ana.person_id).email == "ana@example.org"
    (link,) = [path_of(u) for u in links_in(message.text()) if "/address-change/" in u]
    shown = client.get(link)  # a mail scanner opening the link changes nothing
    assert shown.status_code == 200 and "ana.new@example.com" in shown.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, ana.person_id).email == "ana@example.org"
    mailbox.clear()
    done = client.post(link, follow_redirects=True)
    assert "Your address is now ana.new@example.com" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, ana.person_id).email == "ana.new@example.com"
    deliver()
    (notice,) = mailbox.messages
    assert notice.rcpt_tos == ["ana@example.org"]
    assert "changed from ana@example.org to ana.new@example.com" in notice.text()
    assert client.post(link).status_code == 410  # used once
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "person.address_change")) == 1


def test_the_address_change_link_names_a_stored_nonce_not_the_addresses_and_only_the_last_one_works(
        client, make, mailbox, deliver):
    import base64

    ana = make.member(make.group(), name="Ana Morales", email="ana@example.org")
    url = f"/me/{member_token(ana.person)}"
    _ask_new_address(client, url, "first.new@example.com", mailbox, deliver)
    (first,) = [path_of(u) for u in links_in(mailbox.messages[0].text()) if "/address-change/" in u]
    _ask_new_address(client, url, "second.new@example.com", mailbox, deliver)
    (second,) = [path_of(u) for u in links_in(mailbox.messages[0].text()) if "/address-change/" in u]
    for link in (first, second):
        payload = link.rsplit("/", 1)[1].split(".")[0]
        readable = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("latin-1")
        assert "example" not in readable and "ana" not in readable, readable
    assert client.post(first).status_code == 410  # replaced by the second request
    done = client.post(second, follow_redirects=True)
    assert "Your address is now second.new@example.com" in done.get_data(as_text=True)
    assert client.post(second).status_code == 410


def test_roster_mail_still_queued_when_the_address_changes_goes_to_the_new_address(client, make, mailbox, deliver):
    staff = make.user(email="staff@example.org", role="staff")
    group = make.group(contacts=[staff])
    ana = make.member(group, name="Ana Morales", email="ana@example.org")
    make.member(group, email="ben@example.org")
    _ask_new_address(client, f"/me/{member_token(ana.person)}", "ana.new@example.com", mailbox, deliver)
    (link,) = [path_of(u) for u in links_in(mailbox.messages[0].text()) if "/address-change/" in u]
    login(client, "staff@example.org")
    send_message(client, {"groups": [group.id], "subject": "Hill visit", "body": "See you there."})
    mailbox.clear()
    client.post(link)  # confirmed before the worker reached the roster email
    deliver()
    (roster,) = [m for m in mailbox.to("ana.new@example.com") if m.subject == "Hill visit"]
    assert "ana.new@example.com" in roster.message["To"]
    assert [m.subject for m in mailbox.to("ana@example.org")] == ["Your email address for the groups was changed"]
    assert [m.subject for m in mailbox.to("ben@example.org")] == ["Hill visit"]


def test_an_address_that_belongs_to_someone_is_refused_then_and_at_confirmation(client, make, mailbox, deliver):
    group = make.group()
    ana = make.member(group, email="ana@example.org")
    make.member(group, email="ben@example.org")
    url = f"/me/{member_token(ana.person)}"
    refused = _ask_new_address(client, url, "BEN@example.org", mailbox, deliver)
    assert refused.status_code == 400
    assert "This address already belongs to someone in the groups" in refused.get_data(as_text=True)
    assert mailbox.messages == []
    same = _ask_new_address(client, url, "ana@example.org", mailbox, deliver)
    assert same.status_code == 400 and "This is already your address." in same.get_data(as_text=True)
    bad = _ask_new_address(client, url, "not an address", mailbox, deliver)
    assert bad.status_code == 400 and "Please enter a valid email address." in bad.get_data(as_text=True)
    # Free when asked, taken by the time the link is used.
    _ask_new_address(client, url, "cy@example.org", mailbox, deliver)
    (message,) = mailbox.messages
    make.member(group, email="cy@example.org")
    (link,) = [path_of(u) for u in links_in(message.text()) if "/address-change/" in u]
    taken = client.post(link)
    assert taken.status_code == 410 and "already belongs to someone" in taken.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, ana.person_id).email == "ana@example.org"


def test_forged_and_foreign_links_change_nothing(client, make):
    group = make.group()
    ana = make.member(group, email="ana@example.org")
    ben = make.member(group, email="ben@example.org")
    assert client.get("/me/forged").status_code == 404
    assert "Email me a new link" in client.get("/me/forged").get_data(as_text=True)
    assert client.post("/me/forged/name", data={"name": "X"}).status_code == 404
    assert client.get("/address-change/forged").status_code == 404
    assert client.post(f"/me/{member_token(ana.person)}/withdraw/{ben.id}").status_code == 404
    assert client.post(f"/me/{member_token(ana.person)}/leave/{ben.id}").status_code == 404
    assert membership_of(group, "ben@example.org").status == Status.ACTIVE


def test_a_link_from_before_link_versions_still_opens_the_page(client, make, app):
    from itsdangerous import URLSafeSerializer

    ana = make.member(make.group(), email="ana@example.org")
    old = URLSafeSerializer(app.config["SECRET_KEY"], salt="member-page").dumps(ana.person_id)
    assert client.get(f"/me/{old}").status_code == 200


def test_the_decision_emails_link_to_their_page_too(client, make, mailbox, deliver):
    from tests.conftest import login

    group = make.group(contacts=[make.user(email="dalia@example.org")])
    confirm(client, ask(client, deliver, mailbox))
    login(client, "dalia@example.org")
    client.post(f"/memberships/{membership_of(group, 'rosa@example.org').id}/decide",
                data={"decline": "Decline", "reason": "Not this year"})
    mailbox.clear()
    deliver()
    received, declined = mailbox.to("rosa@example.org")
    assert "/me/" in received.text() and received.subject.startswith("We received your request")
    assert "Not this year" in declined.text()
    page = client.get(page_link(declined)).get_data(as_text=True)
    assert "Declined" in page and "Take back" not in page
