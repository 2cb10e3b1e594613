"""The preview and the send confirmation say who gets the email and who does not, and why."""
import sqlalchemy as sa

from tests.conftest import login
from webapp.extensions import db
from webapp.outbox import services as outbox
from webapp.outbox.models import Delivery, SuppressionKind
from tests.mailing.sending import send_message


def test_members_whose_mail_bounces_or_is_blocked_are_counted_apart_and_not_queued(client, make, mailbox, deliver):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    for name in ("ana", "ben", "cy", "dee", "eve"):
        make.member(group, name=name.title(), email=f"{name}@example.org")
    outbox.suppress("ben@example.org", "bouncing: score 5", kind=SuppressionKind.BOUNCE)
    outbox.suppress("cy@example.org", "blocked by staff", kind=SuppressionKind.STAFF)
    db.session.commit()
    login(client, "dalia@example.org")
    form = {"groups": [group.id], "subject": "Hill visit", "body": "Hello"}

    preview = client.post("/messages/new", data={**form, "preview": "x"}).get_data(as_text=True)
    assert "It will go to 3 members; 2 others don’t get group email (their address bounces or is blocked)." in preview

    sent = client.get(send_message(client, form).location).get_data(as_text=True)
    assert "Your message is queued for 3 members; 2 others don’t get group email (their address bounces or is " \
           "blocked)." in sent
    assert sorted(db.session.scalars(sa.select(Delivery.address))) == \
        ["ana@example.org", "dee@example.org", "eve@example.org"]
    deliver()
    assert sorted(m.rcpt_tos[0] for m in mailbox.messages) == ["ana@example.org", "dee@example.org", "eve@example.org"]


def test_with_nobody_left_out_the_count_says_just_that(client, make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    make.member(group, email="ana@example.org")
    login(client, "dalia@example.org")
    sent = client.get(send_message(client, {"groups": [group.id], "subject": "Hi", "body": "Hello"}).location) \
        .get_data(as_text=True)
    assert "Your message is queued for 1 member." in sent
    assert "don’t get group email" not in sent
