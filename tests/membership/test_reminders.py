"""Pending requests don't wait unseen: the daily reminder, the other contacts' notices, each contact's choice."""
from datetime import timedelta

import pytest

from tests.conftest import links_in, login
from webapp.accounts.services import by_email
from webapp.db_types import utcnow
from webapp.extensions import db


@pytest.fixture
def contacts(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    rachel = make.user(name="Rachel Contact", email="rachel@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    defensive = make.group(contacts=[dalia, rachel])
    youth = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[dalia])
    return defensive, youth


def pending(make, group, name, email=None, days=0):
    membership = make.member(group, name=name, email=email, status="pending")
    membership.status_changed_at = utcnow() - timedelta(days=days, minutes=5)
    db.session.commit()
    return membership


def remind(app):
    return app.test_cli_runner().invoke(args=["remind-contacts"])


def test_each_contact_gets_one_email_listing_what_waited_too_long(app, make, contacts, mailbox, deliver):
    defensive, youth = contacts
    pending(make, defensive, "Olga Old", days=5)
    pending(make, defensive, "Nora New", days=1)
    pending(make, youth, "Yara Youth", days=4)
    result = remind(app)
    assert result.exit_code == 0 and "Sent 2 reminders." in result.output
    deliver()
    (dalia,) = mailbox.to("dalia@example.org")
    assert dalia.subject == "2 requests are waiting for your review"
    text = dalia.text()
    assert "Olga Old" in text and "Yara Youth" in text and "Nora New" not in text
    assert "Defensive Support" in text and "Youth Organizing" in text and "waiting 5 days" in text
    assert "http://localhost/groups/defensive-support/review" in links_in(text)
    assert "http://localhost/groups/youth-organizing/review" in links_in(text)
    (rachel,) = mailbox.to("rachel@example.org")
    assert rachel.subject == "1 request is waiting for your review"
    assert "Olga Old" in rachel.text() and "Yara Youth" not in rachel.text()
    assert mailbox.to("staff@example.org") == []


def test_nothing_waiting_long_means_no_email(app, make, contacts, mailbox, deliver):
    defensive, _ = contacts
    pending(make, defensive, "Nora New", days=2)
    make.member(defensive, name="Ana Active")
    assert "Sent 0 reminders." in remind(app).output
    deliver()
    assert mailbox.messages == []


class TestTheSetting:
    @pytest.fixture
    def config_overrides(self):
        return {"REMIND_AFTER_DAYS": 1}

    def test_remind_after_days_decides_what_is_too_long(self, app, make, contacts, mailbox, deliver):
        defensive, _ = contacts
        pending(make, defensive, "Dina Day", days=1)
        remind(app)
        deliver()
        assert "Dina Day" in mailbox.to("dalia@example.org")[0].text()


def test_reminders_go_to_active_contacts_even_those_who_turned_request_emails_off(app, make, contacts, mailbox,
                                                                                 deliver):
    defensive, _ = contacts
    pending(make, defensive, "Olga Old", days=5)
    by_email("dalia@example.org").request_emails = False
    by_email("rachel@example.org").active = False
    db.session.commit()
    remind(app)
    deliver()
    assert len(mailbox.to("dalia@example.org")) == 1 and mailbox.to("rachel@example.org") == []


def test_the_other_contacts_hear_who_decided_what(client, make, contacts, mailbox, deliver):
    defensive, _ = contacts
    rosa = pending(make, defensive, "Rosa Applicant", "rosa@example.org")
    login(client, "dalia@example.org")
    client.post(f"/memberships/{rosa.id}/decide", data={"approve": "x", "reason": "Welcome!"})
    deliver()
    assert mailbox.to("dalia@example.org") == []  # not the one who decided
    (notice,) = mailbox.to("rachel@example.org")
    assert notice.subject == "Defensive Support: Dalia Contact approved Rosa Applicant"
    assert "Dalia Contact approved the request from Rosa Applicant <rosa@example.org>" in notice.text()


def test_staff_deciding_tell_every_contact_and_spam_is_told_too(client, make, contacts, mailbox, deliver):
    defensive, _ = contacts
    ana = pending(make, defensive, "Ana", "ana@example.org")
    spam = pending(make, defensive, "Buy Now", "spam@example.com")
    login(client, "staff@example.org")
    client.post("/review/decide", data={"ids": [ana.id], "decline": "x"})
    client.post("/review/decide", data={"ids": [spam.id], "spam": "x"})
    deliver()
    subjects = sorted(m.subject for m in mailbox.to("rachel@example.org"))
    assert subjects == ["Defensive Support: Sam Staff declined Ana",
                        "Defensive Support: Sam Staff discarded Buy Now as spam"]
    assert len(mailbox.to("dalia@example.org")) == 2


def test_several_decided_at_once_make_one_notice(client, make, contacts, mailbox, deliver):
    defensive, _ = contacts
    people = [pending(make, defensive, f"Person {i}", f"person{i}@example.org") for i in range(3)]
    login(client, "dalia@example.org")
    client.post("/review/decide", data={"ids": [m.id for m in people], "approve": "x"})
    deliver()
    (notice,) = mailbox.to("rachel@example.org")
    assert notice.subject == "Defensive Support: Dalia Contact decided 3 requests"
    assert all(f"Person {i} <person{i}@example.org>" in notice.text() for i in range(3))


def test_a_contact_turns_off_the_per_request_emails(client, make, contacts, mailbox, deliver):
    defensive, _ = contacts
    login(client, "rachel@example.org")
    form = client.get("/account/email").get_data(as_text=True)
    assert '<label for="request_emails">' in form and 'checked' in form
    done = client.post("/account/email", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Your email preferences are saved." in done
    assert by_email("rachel@example.org").request_emails is False
    assert "checked" not in client.get("/account/email").get_data(as_text=True).split("<main")[1]

    client.post("/groups/defensive-support", data={"name": "Rosa", "email": "rosa@example.org", "consent": "y"})
    deliver()
    confirm = next(link for link in links_in(mailbox.to("rosa@example.org")[0].text()) if "/confirm/" in link)
    client.post(confirm.replace("http://localhost", ""))
    deliver()
    assert [m.subject for m in mailbox.to("dalia@example.org")] == ["New request to join Defensive Support: Rosa"]
    assert mailbox.to("rachel@example.org") == []

    rosa = pending(make, defensive, "Ben", "ben@example.org")
    client.post("/logout")
    login(client, "dalia@example.org")
    client.post(f"/memberships/{rosa.id}/decide", data={"decline": "x"})
    deliver()
    assert mailbox.to("rachel@example.org") == []

    client.post("/logout")
    login(client, "rachel@example.org")
    client.post("/account/email", data={"request_emails": "y"})
    assert by_email("rachel@example.org").request_emails is True


def test_email_preferences_need_a_login(client, app):
    assert "/login" in client.get("/account/email").location
