"""Erasing a person: their name and address are nowhere any more, and every count and history stays true."""
import re

import sqlalchemy as sa

from tests.conftest import links_in, login
from tests.privacy.conftest import (ADDRESS, BLOCK_NOTE, NAME, NOTE, REASON, ROLE, action_of, found_in_database, page,
                                    person_id)
from webapp.audit.models import AuditEvent
from webapp.audit.services import record
from webapp.bounces.models import Bounce
from webapp.extensions import db
from webapp.membership.models import Membership, MembershipEvent, Person
from webapp.outbox.models import Delivery
from webapp.outbox.services import notify
from tests.mailing.sending import send_message

PERSONAL = (NAME, ADDRESS, NOTE, ROLE, REASON, BLOCK_NOTE)


def counts():
    """What must not change: memberships by group and status, history rows, deliveries by email and status,
    bounces, and the audit log's length."""
    db.session.expire_all()

    def grouped(*columns):
        return sorted(db.session.execute(sa.select(*columns, sa.func.count()).group_by(*columns)).all())

    return {"memberships": grouped(Membership.group_id, Membership.status),
            "history": db.session.scalar(sa.select(sa.func.count()).select_from(MembershipEvent)),
            "deliveries": grouped(Delivery.email_id, Delivery.status),
            "bounces": db.session.scalar(sa.select(sa.func.count()).select_from(Bounce)),
            "audit": db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))}


def erase(client, rosa_id):
    text = page(client, f"/staff/people/{rosa_id}")
    assert "I understand this cannot be undone" in text
    return client.post(action_of(text, "Erase this person"), data={"understood": "y"}, follow_redirects=True)


def test_after_erasing_the_person_is_nowhere_and_every_count_stays(rosa, client, mailbox, deliver):
    rosa_id = person_id()
    assert found_in_database(*PERSONAL) >= {
        "person.name", "person.email", "membership.note", "membership.role_title", "membership.decision_reason",
        "membership_event.reason", "delivery.address", "delivery.name", "email.subject", "email.text",
        "bounce.address", "bounce.raw", "bounce_score.address", "suppression.address", "suppression.reason",
        "block.pattern", "block.note", "audit_event.actor_label", "audit_event.target", "audit_event.details"}
    before = counts()
    login(client, "staff@example.org")

    done = erase(client, rosa_id)
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "The person was erased" in text and "<h1>Erased person</h1>" in text
    assert f"erased-{rosa_id}@erased.invalid" in text and "Erase this person" not in text

    assert found_in_database(*PERSONAL) == set()
    after = counts()
    assert after == dict(before, audit=before["audit"] + 1)
    erased = db.session.get(Person, rosa_id)
    assert (erased.name, erased.email, erased.language) == ("Erased person", f"erased-{rosa_id}@erased.invalid", "en")
    for membership in db.session.scalars(sa.select(Membership).where(Membership.person_id == rosa_id)):
        assert (membership.status, membership.note, membership.role_title, membership.organization_id,
                membership.decision_reason) == ("active", "", "", None, "")
        assert membership.joined_at is not None and all(e.reason == "" for e in membership.events)
    last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.action, last.target, last.actor_label) == ("privacy.erase", f"person:{rosa_id}", "staff@example.org")
    assert last.details == {"memberships": 2, "bounces": 1, "deliveries": 6, "audit_rows": 5}


def test_their_page_the_download_and_the_group_read_the_same_without_them(rosa, client):
    rosa_id = person_id()
    login(client, "staff@example.org")
    erase(client, rosa_id)
    for path in (f"/staff/people/{rosa_id}", f"/staff/people/{rosa_id}.json", "/staff/people", "/staff/audit",
                 "/staff/mail", "/staff/bounces", "/staff/suppressions", "/groups/defensive-support/roster"):
        text = page(client, path)
        assert not {NAME, ADDRESS, NOTE} & {s for s in (NAME, ADDRESS, NOTE) if s in text}, path
    roster = page(client, "/groups/defensive-support/roster")
    assert "Erased person" in roster and "Ana Active" in roster


def test_roster_mail_no_longer_goes_to_them_and_their_old_unsubscribe_link_does_nothing(rosa, client, mailbox,
                                                                                         deliver):
    rosa_id = person_id()
    login(client, "staff@example.org")
    erase(client, rosa_id)
    before = counts()
    for response in (client.get(rosa["unsubscribe"]), client.post(rosa["unsubscribe"])):
        assert response.status_code == 200
        assert NAME not in response.get_data(as_text=True)
    assert counts() == before

    mailbox.clear()
    send_message(client, {"groups": [rosa["group"].id], "subject": "After", "body": "Hello"})
    deliver()
    assert {m.rcpt_tos[0] for m in mailbox.messages} == {"ana@example.com"}


def test_asking_to_join_again_with_the_address_starts_afresh(rosa, client, mailbox, deliver):
    rosa_id = person_id()
    login(client, "staff@example.org")
    erase(client, rosa_id)
    client.post("/logout")
    mailbox.clear()
    response = client.post("/groups/defensive-support", data={"name": "Rosa Q", "email": ADDRESS, "consent": "y"})
    assert response.status_code == 302
    deliver()
    (confirmation,) = mailbox.to(ADDRESS)
    assert confirmation.subject == "Confirm your request to join Defensive Support"
    assert any("/confirm/" in link for link in links_in(confirmation.text()))
    again = db.session.scalar(sa.select(Person).where(Person.email == ADDRESS))
    assert again.id != rosa_id and again.name == "Rosa Q"
    (membership,) = db.session.scalars(sa.select(Membership).where(Membership.person_id == again.id))
    assert membership.status == "unconfirmed" and [e.to_status for e in membership.events] == ["unconfirmed"]
    assert db.session.get(Person, rosa_id).name == "Erased person"


def test_erasing_wants_the_box_ticked_and_happens_once(rosa, client):
    rosa_id = person_id()
    login(client, "staff@example.org")
    text = page(client, f"/staff/people/{rosa_id}")
    refused = client.post(action_of(text, "Erase this person"), data={})
    assert refused.status_code == 400
    refused_text = refused.get_data(as_text=True)
    assert re.search(r'<p class="error-text" id="understood-error">Tick the box to show that you understand',
                     refused_text)
    assert 'aria-invalid="true"' in refused_text
    assert person_id() == rosa_id  # nothing changed

    assert "The person was erased" in client.post(action_of(text, "Erase this person"), data={"understood": "y"},
                                                  follow_redirects=True).get_data(as_text=True)
    again = client.post(action_of(text, "Erase this person"), data={"understood": "y"}, follow_redirects=True)
    assert "This person was erased already; nothing was changed." in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "privacy.erase")) == 1


def test_mail_still_queued_for_them_is_cancelled_not_sent_to_the_placeholder(rosa, client, mailbox, deliver):
    client.post("/groups/defensive-support", data={"name": "Someone", "email": "someone@example.org", "consent": "y"})
    rosa_id = person_id()
    with client.application.test_request_context():
        notify(ADDRESS, NAME, "About your request", f"Hello {NAME}")
    db.session.commit()
    login(client, "staff@example.org")
    erase(client, rosa_id)
    mailbox.clear()
    deliver()
    assert {m.rcpt_tos[0] for m in mailbox.messages} == {"someone@example.org"}
    db.session.expire_all()
    cancelled = db.session.scalar(sa.select(Delivery).where(Delivery.last_reply == "cancelled: the person was erased"))
    assert cancelled.status == "cancelled" and cancelled.address == "erased@erased.invalid"


def test_an_account_with_the_same_address_keeps_its_own_record(client, make):
    make.user(email="staff@example.org", role="staff")
    casey = make.user(name="Casey Contact", email="casey@example.org")
    group = make.group(contacts=[casey])
    membership = make.member(group, name="Casey as a member", email="casey@example.org")
    record("membership.remove", actor=casey, target="membership:999")
    record("membership.leave", actor="casey@example.org", target=f"membership:{membership.id}")
    db.session.commit()
    login(client, "staff@example.org")
    erase(client, membership.person_id)
    db.session.expire_all()
    assert db.session.execute(sa.select(AuditEvent.action, AuditEvent.actor_label)
                              .where(AuditEvent.action.like("membership.%")).order_by(AuditEvent.id)).all() == [
        ("membership.remove", "casey@example.org"), ("membership.leave", "erased person")]


def test_the_link_to_their_own_page_opens_nothing_after_erasing(rosa, client):
    assert client.get(rosa["own_page"]).status_code == 200
    login(client, "staff@example.org")
    erase(client, person_id())
    client.post("/logout")
    response = client.get(rosa["own_page"])
    assert response.status_code == 404 and NAME not in response.get_data(as_text=True)
