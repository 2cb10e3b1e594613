"""Bounces come back to a delivery's own envelope sender (VERP); these helpers make real ones."""
from pathlib import Path

import pytest
from flask import current_app

from webapp.mailing import services as mailing

SAMPLES = Path(__file__).parent / "samples"


def sample(name, verp, recipient):
    """A sample bounce as bytes, addressed to this VERP address and reporting this recipient."""
    text = (SAMPLES / name).read_text(encoding="utf-8")
    text = text.replace("{{VERP}}", verp).replace("{{RCPT}}", recipient)
    return text.replace("\n", "\r\n").encode("utf-8")


@pytest.fixture
def roster(make):
    """A group with a contact and three active members, and staff to write to them."""
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[contact])
    for name in ("ana", "ben", "cy"):
        make.member(group, name=name.title(), email=f"{name}@example.com")
    return staff, group


@pytest.fixture
def sent(roster, mailbox, deliver):
    """Send one roster message and return {recipient: the envelope sender its copy went out with}."""
    def send(subject="Hill visit on Tuesday"):
        staff, group = roster
        mailbox.clear()
        with current_app.test_request_context():
            mailing.send(staff, subject, "Please **join** us.", [group])
        deliver()
        return {m.rcpt_tos[0]: m.mail_from for m in mailbox.messages}

    return send
