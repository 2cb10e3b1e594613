"""Bounces handed over LMTP (`flask receive-bounces`) or read from a Maildir (`flask fetch-bounces`)."""
import mailbox
import smtplib

import pytest
import sqlalchemy as sa

from tests.bounces.conftest import sample
from tests.smtp_sink import free_port
from webapp.bounces import lmtp, verp
from webapp.bounces.models import Bounce, BounceScore
from webapp.extensions import db
from webapp.outbox.models import Delivery

HARD = ["postfix_dsn_hard.eml", "exim_hard.eml", "qmail_hard.eml", "gmail_hard.eml", "microsoft_hard.eml",
        "microsoft_smtpsvc_hard.eml"]
SOFT = ["dsn_delayed_soft.eml"]
NOT_COUNTED = [("out_of_office.eml", "auto_reply"), ("out_of_office_subject_only.eml", "auto_reply"),
               ("unreadable.eml", "unparsed")]
EVERY = [(name, "hard") for name in HARD] + [(name, "soft") for name in SOFT] + NOT_COUNTED


@pytest.fixture
def lmtp_server(app):
    port = free_port()
    controller = lmtp.start(app, "127.0.0.1", port)
    yield port
    controller.stop()


def hand_over(port, recipients, raw):
    with smtplib.LMTP("127.0.0.1", port) as client:
        return client.sendmail("", recipients, raw)


def bounces():
    db.session.expire_all()
    return db.session.scalars(sa.select(Bounce).order_by(Bounce.id)).all()


def score_of(address):
    db.session.expire_all()
    return db.session.scalar(sa.select(BounceScore.score).where(BounceScore.address == address))


def test_every_email_goes_out_with_its_own_signed_envelope_sender(sent, app):
    senders = sent()
    assert len(set(senders.values())) == 3
    for address, sender in senders.items():
        assert sender.startswith("bounces+") and sender.endswith("@example.org")
        delivery = db.session.get(Delivery, verp.delivery_id(sender))
        assert delivery.address == address
    forged = senders["ben@example.com"].replace("-", "-0", 1)[:-len("@example.org")] + "@example.org"
    assert verp.delivery_id(forged) is None


@pytest.mark.parametrize("name,kind", EVERY)
def test_a_bounce_over_lmtp_charges_the_delivery_it_names(sent, lmtp_server, name, kind):
    senders = sent()
    verp_address = senders["ben@example.com"]
    # The report names another address (a forward, say): VERP says who it really was.
    refused = hand_over(lmtp_server, [verp_address], sample(name, verp_address, "ben.forwarded@example.net"))
    assert refused == {}
    (bounce,) = bounces()
    assert bounce.kind == kind
    assert bounce.delivery_id == verp.delivery_id(verp_address)
    assert bounce.raw == sample(name, verp_address, "ben.forwarded@example.net")  # kept as it arrived
    expected = {"hard": 1.0, "soft": 0.5}.get(kind)
    assert score_of("ben@example.com") == expected
    assert bounce.counted == (expected is not None)


@pytest.mark.parametrize("name,kind", EVERY)
def test_a_bounce_read_from_a_maildir_charges_the_delivery_it_names(sent, app, tmp_path, name, kind):
    senders = sent()
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(sample(name, senders["cy@example.com"], "cy@example.com"))
    result = app.test_cli_runner().invoke(args=["fetch-bounces", "--maildir", str(tmp_path / "bounces")])
    assert result.exit_code == 0 and "Read 1 messages" in result.output
    (bounce,) = bounces()
    assert (bounce.kind, bounce.address) == (kind, "cy@example.com")  # VERP names it, whatever came back
    assert score_of("cy@example.com") == {"hard": 1.0, "soft": 0.5}.get(kind)

    again = app.test_cli_runner().invoke(args=["fetch-bounces", "--maildir", str(tmp_path / "bounces")])
    assert "Read 0 messages" in again.output  # each message is read once
    assert len(bounces()) == 1


def test_without_verp_only_an_address_we_sent_to_is_charged(sent, lmtp_server):
    sent()
    hand_over(lmtp_server, ["bounces@example.org"], sample("exim_hard.eml", "bounces@example.org", "ben@example.com"))
    hand_over(lmtp_server, ["bounces@example.org"],
              sample("exim_hard.eml", "bounces@example.org", "stranger@example.net"))
    assert [(b.kind, b.address, b.counted) for b in bounces()] == [
        ("hard", "ben@example.com", True), ("hard", "stranger@example.net", False)]
    assert score_of("ben@example.com") == 1.0 and score_of("stranger@example.net") is None


def test_the_lmtp_server_takes_mail_only_for_the_bounce_address(lmtp_server):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        hand_over(lmtp_server, ["someone@example.org"], b"Subject: hi\r\n\r\nhello\r\n")
    assert bounces() == []
