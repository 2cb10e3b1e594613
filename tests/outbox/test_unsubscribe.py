"""Roster email headers, one-click unsubscribe, and who still gets roster mail."""
import base64
import threading
from email.utils import parseaddr
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import current_app
from itsdangerous import URLSafeSerializer

from tests.conftest import membership_of
from tests.outbox.conftest import queue, rows
from webapp.audit.models import AuditEvent
from webapp.bounces import verp
from webapp.extensions import db
from webapp.mailing import services as mailing
from webapp.membership import services as membership
from webapp.membership.models import Membership
from webapp.membership.tokens import confirmation_token
from webapp.outbox import services, worker
from webapp.outbox.models import EmailKind, Suppression


@pytest.fixture
def config_overrides(server):
    return {"MAIL_PORT": server.port, "PUBLIC_URL": "https://groups.example.org",
            "MAIL_BOUNCE_ADDRESS": "returns@example.org", "WTF_CSRF_ENABLED": True}


@pytest.fixture
def roster(make):
    """A group of five active members and a staff member to write to them."""
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group()
    names = ("ana", "ben", "cy", "yan", "zed")
    members = {n: make.member(group, name=n.title(), email=f"{n}@example.org") for n in names}
    return staff, group, members


def send_to(roster, subject="Hill visit on Tuesday", groups=None):
    """Write to the roster as staff do from the message page."""
    staff, group, _ = roster
    with current_app.test_request_context():  # the email is rendered in the sender's language
        return mailing.send(staff, subject, "Please **join** us.", groups or [group])


def test_each_roster_email_has_its_own_message_id_list_headers_and_the_bounce_address(roster, server, deliver, app):
    message = send_to(roster)
    deliver()
    received = server.messages
    assert len(received) == 5
    recorded = {d.address: d.message_id for d in rows().values()}
    for email in received:
        headers = email.message
        (address,) = email.rcpt_tos
        # The envelope sender, where bounces go: the bounce address, in this delivery's own VERP form.
        assert verp.delivery_id(email.mail_from) == rows()[address].id
        assert email.mail_from.startswith("returns+") and email.mail_from.endswith("@example.org")
        assert parseaddr(str(headers["From"])) == parseaddr(app.config["MAIL_DEFAULT_SENDER"])
        assert [a.addr_spec for a in headers["To"].addresses] == [address]
        assert headers["Message-ID"] == recorded[address]
        assert headers["List-Id"] == "Defensive Support <defensive-support.example.org>"
        unsubscribe = headers["List-Unsubscribe"]
        assert unsubscribe.startswith("<https://groups.example.org/unsubscribe/") and unsubscribe.endswith(">")
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        token = unsubscribe[1:-1].rsplit("/", 1)[1]
        assert services.read_unsubscribe_token(token) == (address, [f"group:{roster[1].id}"])
        # Opaque: the link names the delivery, not the address, even base64-decoded.
        payload = token.split(".")[0]
        assert address.split("@")[0] not in base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert len({e.message["Message-ID"] for e in received}) == 5
    assert message.email_id


def test_a_notice_has_no_list_headers(server, deliver):
    queue(["ana@example.org"], kind=EmailKind.NOTICE, subject="Your request")
    deliver()
    (notice,) = server.messages
    assert notice.message["List-Unsubscribe"] is None and notice.message["List-Id"] is None
    assert notice.message["Message-ID"]


def _unsubscribe_path(server, address):
    (email, *_) = server.to(address)
    return urlsplit(email.message["List-Unsubscribe"][1:-1]).path


def test_one_click_unsubscribe_leaves_that_emails_groups_without_cookie_or_token_and_stops_queued_mail(
        roster, server, deliver, app, make):
    staff, group, members = roster
    other = make.group(slug="youth-organizing", name="Youth Organizing")
    make.member(other, email="ben@example.org")
    send_to(roster)
    deliver()
    path = _unsubscribe_path(server, "ben@example.org")
    later = send_to(roster, subject="Next meeting")
    to_other = send_to(roster, subject="Youth news", groups=[other])
    notice = queue(["ben@example.org"], kind=EmailKind.NOTICE, subject="Your request")
    server.reset()

    mail_client = app.test_client(use_cookies=False)  # a mail provider: no session, no CSRF token
    answers = [mail_client.post(path, data={"List-Unsubscribe": "One-Click"}) for _ in range(2)]  # idempotent
    assert [a.status_code for a in answers] == [200, 200]
    assert "You left Defensive Support." in answers[0].get_data(as_text=True)
    assert "ben@example.org gets no emails from these groups." in answers[1].get_data(as_text=True)
    ben = membership_of(group, "ben@example.org")
    assert ben.status == "left"
    assert [(e.from_status, e.to_status, e.actor_label) for e in ben.events][-1] == \
        ("active", "left", "member, by unsubscribe link")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "membership.unsubscribe")) == 1
    assert membership_of(other, "ben@example.org").status == "active"  # that email was not for this group
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Suppression)) == 0
    assert rows(later)["ben@example.org"].status == "cancelled"

    deliver()
    assert sorted(m.subject for m in server.to("ben@example.org")) == ["Your request", "Youth news"]
    assert rows(notice)["ben@example.org"].status == "sent"
    assert rows(to_other)["ben@example.org"].status == "sent"


def test_the_unsubscribe_page_changes_nothing_until_a_button_is_pressed_and_stop_all_leaves_every_group(
        roster, server, deliver, client, make):
    staff, group, members = roster
    other = make.group(slug="youth-organizing", name="Youth Organizing")
    make.member(other, email="ben@example.org")
    send_to(roster)
    deliver()
    path = _unsubscribe_path(server, "ben@example.org")
    later = send_to(roster, subject="Next meeting")
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Leave Defensive Support</button>" in html and "Stop all group emails</button>" in html
    assert membership_of(group, "ben@example.org").status == "active"
    assert rows(later)["ben@example.org"].status == "queued"

    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post(path, data={"scope": "all", "csrf_token": token})
    assert answer.status_code == 200
    assert "You left Defensive Support, Youth Organizing" in answer.get_data(as_text=True)
    assert [membership_of(g, "ben@example.org").status for g in (group, other)] == ["left", "left"]
    again = client.get(path).get_data(as_text=True)
    assert "ben@example.org is in no group and gets no group emails." in again


def test_someone_who_unsubscribed_and_asks_again_is_a_member_again_and_gets_mail(roster, server, deliver, app,
                                                                                client):
    staff, group, members = roster
    send_to(roster)
    deliver()
    app.test_client(use_cookies=False).post(_unsubscribe_path(server, "ben@example.org"))
    server.reset()
    membership.request_to_join(group, name="Ben", email="ben@example.org")
    ben = membership_of(group, "ben@example.org")
    membership.confirm_request(confirmation_token(ben))
    membership.approve(membership_of(group, "ben@example.org"), actor=staff)
    send_to(roster, subject="Welcome back")
    deliver()
    assert "Welcome back" in [m.subject for m in server.to("ben@example.org")]


def test_a_link_from_before_unsubscribing_was_leaving_stops_all_group_mail(roster, client, app):
    staff, group, members = roster
    old_token = URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe").dumps("ben@example.org")
    assert app.test_client(use_cookies=False).post(f"/unsubscribe/{old_token}").status_code == 200
    assert membership_of(group, "ben@example.org").status == "left"


def test_an_unknown_unsubscribe_token_is_not_found(client):
    assert client.post("/unsubscribe/not-a-token").status_code == 404
    assert client.get("/unsubscribe/not-a-token").status_code == 404


def test_members_who_left_or_were_removed_after_queueing_get_no_roster_mail(roster, server, deliver, make):
    staff, group, members = roster
    other = make.group(slug="youth-organizing", name="Youth Organizing")
    make.member(other, email="cy@example.org")
    both = send_to(roster, "To both groups", [group, other])
    membership.leave(members["ben"])
    membership.remove(members["zed"], actor=staff, reason="asked to")
    membership.leave(members["cy"])  # still in Youth Organizing, which this email is also for
    deliver()
    assert sorted(server.copies()) == ["ana@example.org", "cy@example.org", "yan@example.org"]
    assert {a: d.status for a, d in rows().items() if d.email_id == both.email_id} == {
        "ana@example.org": "sent", "ben@example.org": "cancelled", "cy@example.org": "sent",
        "yan@example.org": "sent", "zed@example.org": "cancelled"}


def test_leaving_or_unsubscribing_while_the_worker_holds_the_batch_stops_the_email(roster, server, deliver, app,
                                                                                    monkeypatch):
    _, _, members = roster
    monkeypatch.setattr(worker, "RECORD_EVERY", 2)  # the worker looks again every two emails
    send_to(roster)
    deliver()
    unsubscribe_zed = _unsubscribe_path(server, "zed@example.org")
    server.reset()
    later = send_to(roster, subject="Next meeting")
    yan_id = members["yan"].id
    done = threading.Event()

    def while_sending(_received):
        # The first email is at the server: the whole batch is claimed by now.
        if done.is_set():
            return
        done.set()
        with app.app_context():
            membership.leave(db.session.get(Membership, yan_id))
            db.session.remove()
        assert app.test_client(use_cookies=False).post(unsubscribe_zed).status_code == 200

    server.handler.on_message = while_sending
    deliver()
    assert done.is_set()
    assert sorted(server.copies()) == ["ana@example.org", "ben@example.org", "cy@example.org"]
    statuses = {a: d.status for a, d in rows(later).items()}
    assert (statuses["yan@example.org"], statuses["zed@example.org"]) == ("cancelled", "cancelled")
