"""`flask purge`: what is kept longer than the RETAIN_* settings is deleted or blanked, each feature its own rows."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from tests.conftest import membership_of
from tests.privacy.conftest import found_in_database
from webapp.audit.models import AuditEvent
from webapp.audit.services import record
from webapp.bounces.models import Bounce, BounceKind
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing import services as mailing
from webapp.mailing.models import Message
from webapp.membership.models import Person, Status
from webapp.outbox.models import Delivery, DeliveryStatus, Email
from webapp.outbox.services import notify
from webapp.privacy.services import months_before

DAY = timedelta(days=1)


def purge(app):
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def ask(client, address, slug="defensive-support"):
    client.post(f"/groups/{slug}", data={"name": f"Name of {address}", "email": address, "consent": "y"})


def age_request(group, address, by):
    membership = membership_of(group, address)
    membership.requested_at -= by
    db.session.commit()


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_unconfirmed_requests_go_after_a_week_with_their_person_and_confirmation_email(app, client, make, deliver):
    group = make.group()
    for address in ("stale@example.org", "fresh@example.org"):
        ask(client, address)
    deliver()
    age_request(group, "stale@example.org", 8 * DAY)
    age_request(group, "fresh@example.org", 6 * DAY)
    assert found_in_database("stale@example.org") >= {"person.email", "delivery.address", "email.text"}

    output = purge(app)
    assert "Unconfirmed requests deleted (older than 7 days): 1" in output
    assert "People deleted, nothing of theirs left: 1" in output
    assert "Notice emails deleted (no delivery left): 1" in output
    assert membership_of(group, "stale@example.org") is None
    assert found_in_database("stale@example.org") == set()  # nothing left in the outbox either
    assert membership_of(group, "fresh@example.org").status == Status.UNCONFIRMED
    assert count(Delivery, Delivery.address == "fresh@example.org") == 1


def test_declined_requests_go_after_twelve_months(app, make):
    group = make.group()
    other = make.group(slug="youth-organizing", name="Youth Organizing")
    old = make.member(group, name="Old Declined", email="old@example.org", status="declined")
    twice = make.member(group, name="Twice", email="twice@example.org", status="declined")
    make.member(other, email="twice@example.org", status="active")
    recent = make.member(group, name="Recent", email="recent@example.org", status="declined")
    notify("old@example.org", "Old Declined", "Your request to join Defensive Support", "Hello Old Declined")
    record("membership.leave", actor="old@example.org", target=f"membership:{old.id}")
    thirteen_months = months_before(utcnow(), 13)
    for membership in (old, twice):
        membership.status_changed_at = thirteen_months
    recent.status_changed_at = months_before(utcnow(), 11)
    db.session.commit()

    output = purge(app)
    assert "Declined requests deleted (older than 12 months): 2" in output
    assert "People deleted, nothing of theirs left: 1" in output
    assert membership_of(group, "old@example.org") is None and membership_of(group, "twice@example.org") is None
    assert count(Person, Person.email == "twice@example.org") == 1  # still a member elsewhere
    assert membership_of(other, "twice@example.org").status == Status.ACTIVE
    assert membership_of(group, "recent@example.org").status == Status.DECLINED
    assert found_in_database("old@example.org", "Old Declined") == set()


def _delivery_at(email_id, address, status, when):
    db.session.add(Delivery(email_id=email_id, address=address, status=status, created_at=when,
                            sent_at=when if status == DeliveryStatus.SENT else None))


def test_finished_deliveries_go_after_ninety_days_and_notices_left_with_none(app, make, deliver):
    staff = make.user(email="staff@example.org", role="staff")
    group = make.group()
    make.member(group, email="ana@example.org")
    with current_app.test_request_context():
        message = mailing.send(staff, "Old news", "Body", [group])
    message_id, email_id = message.id, message.email_id
    old, recent = utcnow() - 91 * DAY, utcnow() - 89 * DAY
    db.session.execute(sa.update(Delivery).values(status=DeliveryStatus.SENT, sent_at=old, created_at=old))
    for status in (DeliveryStatus.FAILED, DeliveryStatus.SUPPRESSED, DeliveryStatus.CANCELLED, DeliveryStatus.DEAD):
        _delivery_at(email_id, f"{status}@example.org", status, old)
    _delivery_at(email_id, "queued@example.org", DeliveryStatus.QUEUED, old)  # not finished: kept
    old_notice = notify("n1@example.org", "N", "Old notice", "Hello")
    new_notice = notify("n2@example.org", "N", "New notice", "Hello")
    db.session.flush()
    old_notice, new_notice = old_notice.id, new_notice.id
    db.session.execute(sa.update(Delivery).where(Delivery.email_id == old_notice)
                       .values(status=DeliveryStatus.SENT, sent_at=old, created_at=old))
    db.session.execute(sa.update(Delivery).where(Delivery.email_id == new_notice)
                       .values(status=DeliveryStatus.SENT, sent_at=recent, created_at=old))
    db.session.commit()

    output = purge(app)
    assert "Deliveries deleted (finished, older than 90 days): 6" in output
    assert "Notice emails deleted (no delivery left): 1" in output
    assert [d.address for d in db.session.scalars(sa.select(Delivery).order_by(Delivery.id))] == [
        "queued@example.org", "n2@example.org"]
    assert db.session.get(Email, old_notice) is None and db.session.get(Email, new_notice) is not None
    assert db.session.get(Message, message_id).email_id == email_id  # the roster body stays


def test_bounces_go_after_ninety_days_and_audit_addresses_after_thirty(app, make):
    make.group()
    now = utcnow()
    for days in (91, 89):
        db.session.add(Bounce(kind=BounceKind.HARD, address=f"b{days}@example.org", raw=b"raw",
                              received_at=now - days * DAY))
    for days in (31, 29):
        event = record("membership.leave", actor=f"a{days}@example.org")
        event.ip_address, event.created_at = "203.0.113.9", now - days * DAY
    db.session.commit()

    output = purge(app)
    assert "Bounces deleted (older than 90 days): 1" in output
    assert "Audit rows whose IP address was blanked (older than 30 days): 1" in output
    assert [b.address for b in db.session.scalars(sa.select(Bounce))] == ["b89@example.org"]
    assert dict(db.session.execute(sa.select(AuditEvent.actor_label, AuditEvent.ip_address)
                                   .where(AuditEvent.action == "membership.leave")).all()) == {
        "a31@example.org": "", "a29@example.org": "203.0.113.9"}
    purged = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "privacy.purge")).one()
    assert purged.actor_label == "cli" and purged.details["bounces"] == 1


def test_the_settings_say_how_long(app, client, make, deliver):
    app.config.update(RETAIN_UNCONFIRMED_DAYS=2, RETAIN_DECIDED_MONTHS=1, RETAIN_DELIVERY_DAYS=10,
                      RETAIN_AUDIT_IP_DAYS=3)
    group = make.group()
    ask(client, "stale@example.org")
    deliver()
    age_request(group, "stale@example.org", 3 * DAY)
    output = purge(app)
    assert "Unconfirmed requests deleted (older than 2 days): 1" in output
    assert "(older than 1 months)" in output and "(finished, older than 10 days)" in output
    assert "(older than 3 days)" in output


def test_purge_unconfirmed_still_works_and_forgets_the_outbox_too(app, client, make, deliver):
    group = make.group()
    ask(client, "stale@example.org")
    deliver()
    age_request(group, "stale@example.org", 100 * timedelta(hours=1))
    result = app.test_cli_runner().invoke(args=["purge-unconfirmed"])
    assert "Purged 1 unconfirmed requests." in result.output
    assert found_in_database("stale@example.org") == set()


def test_months_before_keeps_the_day_or_takes_the_months_last():
    from datetime import datetime, timezone

    moment = datetime(2026, 3, 31, 12, tzinfo=timezone.utc)
    assert months_before(moment, 1) == datetime(2026, 2, 28, 12, tzinfo=timezone.utc)
    assert months_before(moment, 12) == datetime(2025, 3, 31, 12, tzinfo=timezone.utc)
    assert months_before(moment, 15) == datetime(2024, 12, 31, 12, tzinfo=timezone.utc)
