"""Staff invite people by email: a single-use, expiring link to choose a password; and resets work the same way."""
import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import login
from webapp.accounts.models import AccountLink
from webapp.accounts.services import by_email
from webapp.extensions import db


def _link(mail):
    (url,) = re.findall(r"http://localhost(/account/choose-password/\S+)", mail.text())
    return url


def _invite(client, make, mailbox, deliver, email="rachel@example.org", role="contact"):
    make.user(email="staff@example.org", name="Sam Staff", role="staff")
    login(client, "staff@example.org")
    page = client.post("/staff/accounts", data={"name": "Rachel New", "email": email, "role": role},
                       follow_redirects=True).get_data(as_text=True)
    assert "We emailed Rachel New an invitation to choose a password." in page
    client.post("/logout")
    deliver()
    (mail,) = [m for m in mailbox.messages if m.rcpt_tos == [email]]
    return mail


def test_an_invited_contact_chooses_a_password_from_the_email_and_logs_in(client, make, mailbox, deliver):
    group = make.group()
    mail = _invite(client, make, mailbox, deliver)
    assert mail.to == "Rachel New <rachel@example.org>"
    assert "Sam Staff invited you" in mail.text() and "as a contact person" in mail.text()
    assert "works once, for 72 hours" in mail.text()
    # Invited, an account has no password: nothing logs in to it.
    assert client.post("/login", data={"email": "rachel@example.org", "password": ""}).status_code == 400
    url = _link(mail)
    form = client.get(url)
    assert form.status_code == 200 and "For the account rachel@example.org." in form.get_data(as_text=True)
    weak = client.post(url, data={"new": "rachelnew", "repeat": "rachelnew"})
    assert weak.status_code == 400 and "Use at least 12 characters." in weak.get_data(as_text=True)
    done = client.post(url, data={"new": "river stones at dawn", "repeat": "river stones at dawn"},
                       follow_redirects=True)
    assert "Your password is saved. Log in with it now." in done.get_data(as_text=True)
    login(client, "rachel@example.org", "river stones at dawn")
    assert client.get("/dashboard").status_code == 200
    # Single use: the same link shows what to do, and changes nothing.
    client.post("/logout")
    again = client.post(url, data={"new": "somebody else's idea", "repeat": "somebody else's idea"})
    assert again.status_code == 404 and "This link does not work" in again.get_data(as_text=True)
    login(client, "rachel@example.org", "river stones at dawn")
    assert group.id


def test_only_a_hash_of_the_token_is_stored(client, make, mailbox, deliver):
    mail = _invite(client, make, mailbox, deliver)
    token = _link(mail).rsplit("/", 1)[1]
    stored = db.session.scalars(sa.select(AccountLink.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    dumped = " ".join(str(row) for row in db.session.execute(sa.select(AccountLink.__table__)).all())
    assert token not in dumped


def test_an_expired_invitation_does_not_work_and_staff_can_invite_again(client, make, mailbox, deliver):
    mail = _invite(client, make, mailbox, deliver)
    url = _link(mail)
    link = db.session.scalar(sa.select(AccountLink))
    link.expires_at = link.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.get(url).status_code == 404
    login(client, "staff@example.org")
    rachel = by_email("rachel@example.org")
    assert "Invite Rachel New again" in client.get("/staff/accounts").get_data(as_text=True)
    mailbox.clear()
    client.post(f"/staff/accounts/{rachel.id}/invite", follow_redirects=True)
    deliver()
    (mail,) = mailbox.messages
    client.post("/logout")
    assert client.get(_link(mail)).status_code == 200


def test_a_staff_invitation_says_staff(client, make, mailbox, deliver):
    mail = _invite(client, make, mailbox, deliver, email="new-staff@example.org", role="staff")
    assert "as staff" in mail.text()
    assert by_email("new-staff@example.org").is_staff


def test_forgot_password_answers_the_same_whether_or_not_the_address_has_an_account(client, make, mailbox,
                                                                                    deliver):
    make.user(email="dalia@example.org")
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/login/forgot"' in login_page and "Forgot your password?" in login_page
    answers = []
    for address in ("dalia@example.org", "nobody@example.org"):
        response = client.post("/login/forgot", data={"email": address})
        answers.append((response.status_code, response.location))
        page = client.get(response.location).get_data(as_text=True)
        assert f"If an active account has the address {address}, we sent it a link" in page
    assert answers[0] == answers[1] == (302, "/login")
    deliver()
    (mail,) = mailbox.messages
    assert mail.rcpt_tos == ["dalia@example.org"] and mail.subject == "Choose a new password"
    assert "it works once, for 60 minutes" in mail.text()


def test_a_reset_sets_a_new_password_once_and_ends_every_session(client, make, mailbox, deliver, app):
    from tests.accounts.devices import Device

    make.user(email="dalia@example.org")
    other_device = Device(app)
    other_device.login("dalia@example.org")
    assert other_device.signed_in()
    client.post("/login/forgot", data={"email": "Dalia@Example.org"})
    deliver()
    url = _link(mailbox.messages[0])
    client.post(url, data={"new": "a fresh start today", "repeat": "a fresh start today"})
    assert not other_device.signed_in()
    assert client.post("/login", data={"email": "dalia@example.org",
                                       "password": "correct horse battery"}).status_code == 400
    login(client, "dalia@example.org", "a fresh start today")
    client.post("/logout")
    assert client.post(url, data={"new": "and another one here", "repeat": "and another one here"}).status_code == 404


def test_a_new_reset_link_replaces_the_earlier_one(client, make, mailbox, deliver):
    make.user(email="dalia@example.org")
    client.post("/login/forgot", data={"email": "dalia@example.org"})
    client.post("/login/forgot", data={"email": "dalia@example.org"})
    deliver()
    first, second = (_link(m) for m in mailbox.messages)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_deactivated_account_gets_no_reset_link(client, make, mailbox, deliver):
    from webapp.accounts.services import set_active

    set_active(make.user(email="gone@example.org"), False)
    response = client.post("/login/forgot", data={"email": "gone@example.org"})
    assert response.status_code == 302
    deliver()
    assert mailbox.messages == []


def test_opening_a_link_uses_nothing_up(client, make, mailbox, deliver):
    make.user(email="dalia@example.org")
    client.post("/login/forgot", data={"email": "dalia@example.org"})
    deliver()
    url = _link(mailbox.messages[0])
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert client.post("/account/choose-password/not-a-token", data={}).status_code == 404
