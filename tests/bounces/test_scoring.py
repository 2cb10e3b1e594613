"""Mailman's scoring: hard 1, soft 0.5, one a day, forgotten after a quiet week; 5 suppresses."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.bounces.conftest import sample
from tests.conftest import login, membership_of
from webapp.bounces import scoring, services
from webapp.bounces.models import BounceScore
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing import services as mailing
from webapp.membership.tokens import member_token
from webapp.outbox import services as outbox

DAY = date(2026, 11, 2)


def charge(address, days, hard=True):
    results = []
    for day in days:
        results.append(scoring.charge(address, hard=hard, diagnostic="550 5.1.1 unknown", today=DAY + timedelta(days=day)))
        scoring.announce([address] if results[-1].started else [])
        db.session.commit()
    return results


def a_day_passes():
    """Make the last counted bounce yesterday's, so that today's counts."""
    db.session.execute(sa.update(BounceScore).values(last_counted_on=utcnow().date() - timedelta(days=1)))
    db.session.commit()


def score(address):
    db.session.expire_all()
    return db.session.scalar(sa.select(BounceScore.score).where(BounceScore.address == address))


def test_five_hard_bounces_on_five_days_suppress_and_the_contacts_are_told_once(roster, deliver, mailbox):
    results = charge("ben@example.com", range(5))
    assert [r.started for r in results] == [False] * 4 + [True]
    assert outbox.is_suppressed("ben@example.com")
    charge("ben@example.com", [5, 6])  # more bounces: no second notice
    deliver()
    (notice,) = mailbox.to("dalia@example.org")
    assert notice.subject == "Mail to 1 member of Defensive Support is bouncing"
    assert "Ben <ben@example.com>" in notice.text()
    assert "http://localhost/groups/defensive-support/roster" in notice.text()


def test_only_one_bounce_a_day_counts_and_soft_ones_count_half(app):
    charge("ana@example.com", [0, 0, 0])
    assert score("ana@example.com") == 1.0
    charge("ana@example.com", [1, 2], hard=False)
    assert score("ana@example.com") == 2.0


def test_a_score_left_alone_for_a_week_starts_again(app):
    charge("ana@example.com", [0, 1, 2, 3])
    charge("ana@example.com", [11])
    assert score("ana@example.com") == 1.0
    assert not outbox.is_suppressed("ana@example.com")


def test_a_mailbox_unknown_at_send_time_counts_as_one_hard_bounce(roster, server_refusing_ben, deliver, mailbox):
    staff, group = roster
    for day in range(5):
        with current_app.test_request_context():
            mailing.send(staff, f"Day {day}", "Hello", [group])
        deliver()
        a_day_passes()
        assert score("ben@example.com") == day + 1
    assert outbox.is_suppressed("ben@example.com")


@pytest.fixture
def server_refusing_ben(app, mailbox, monkeypatch):
    """The test SMTP server, refusing Ben's mailbox at RCPT as unknown."""
    from webapp.outbox import smtp

    real_send = smtp.Connection.send

    def send(self, envelope_from, address, data):
        if address == "ben@example.com":
            return smtp.classify(550, "5.1.1 <ben@example.com>: Recipient address rejected: User unknown")
        return real_send(self, envelope_from, address, data)

    monkeypatch.setattr(smtp.Connection, "send", send)
    return mailbox


def test_the_roster_the_history_and_the_members_own_page_show_mail_bouncing(roster, client, sent, app):
    staff, group = roster
    senders = sent()
    for day in range(5):
        services.receive(sample("postfix_dsn_hard.eml", senders["ben@example.com"], "ben@example.com"))
        a_day_passes()
    assert outbox.is_suppressed("ben@example.com")
    login(client, "staff@example.org")
    roster_page = client.get("/groups/defensive-support/roster").get_data(as_text=True)
    assert roster_page.count("Mail bouncing") == 1
    ben = membership_of(group, "ben@example.com")
    history = client.get(f"/memberships/{ben.id}").get_data(as_text=True)
    assert "Mail bouncing" in history and "Status:" in history
    own_page = client.get(f"/me/{member_token(ben.person)}").get_data(as_text=True)
    assert "Emails to ben@example.com keep coming back undelivered" in own_page
    ana = membership_of(group, "ana@example.com")
    assert "keep coming back undelivered" not in client.get(f"/me/{member_token(ana.person)}").get_data(as_text=True)
