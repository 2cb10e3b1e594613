"""The whole journey, as people would live it, against a real SMTP server."""
from urllib.parse import urlsplit

from tests.conftest import links_in, login
from tests.mailing.sending import send_message


def path_of(url):
    parts = urlsplit(url)
    return parts.path


def test_request_confirm_review_approve_and_email_the_roster(client, make, mailbox, deliver):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group(contacts=[contact])
    other = make.group(slug="youth-organizing", name="Youth Organizing")
    existing = make.member(group, name="Ana Existing", email="ana@example.org")
    make.member(other, name="Ana Existing", email="ana@example.org")  # in both groups: one email
    make.member(other, name="Omar Other", email="omar@example.org")  # not a recipient
    make.member(group, name="Pat Pending", email="pat@example.org", status="pending")  # not a recipient

    # 1. Ask to join from the group's page.
    page = client.get("/groups/defensive-support")
    assert "Dalia Contact" in page.get_data(as_text=True)
    assert "dalia@example.org" not in page.get_data(as_text=True)
    response = client.post("/groups/defensive-support", data={
        "name": "Rosa Applicant", "email": "Rosa@Example.org", "organization": "the door legal service center",
        "role_title": "Paralegal", "note": "I support youth in the backlog.", "consent": "y",
    })
    assert response.status_code == 302
    assert "Check your email" in client.get(response.location).get_data(as_text=True)

    # 2. The confirmation email; opening the link changes nothing, the button confirms.
    deliver()
    (confirmation,) = mailbox.to("rosa@example.org")
    assert "Confirm your request to join Defensive Support" == confirmation.subject
    confirm_url = next(link for link in links_in(confirmation.text()) if "/confirm/" in link)
    assert "Confirm" in client.get(path_of(confirm_url)).get_data(as_text=True)
    assert mailbox.to("dalia@example.org") == []
    mailbox.clear()
    confirmed = client.post(path_of(confirm_url))
    assert "your request is confirmed" in confirmed.get_data(as_text=True)

    # 3. The contact is told, and the applicant gets "received".
    deliver()
    (to_contact,) = mailbox.to("dalia@example.org")
    assert "Rosa Applicant" in to_contact.subject
    assert "I support youth in the backlog." in to_contact.text()
    assert "the door legal service center" in to_contact.text()
    (received,) = mailbox.to("rosa@example.org")
    assert "We received your request" in received.subject
    review_url = next(link for link in links_in(to_contact.text()) if "/review" in link)

    # 4. The contact logs in and approves; the applicant hears of it.
    login(client, "dalia@example.org")
    review = client.get(path_of(review_url)).get_data(as_text=True)
    assert "Rosa Applicant" in review and "Pat Pending" in review
    mailbox.clear()
    rosa_id = _membership_id(group, "rosa@example.org")
    decided = client.post(f"/memberships/{rosa_id}/decide", data={"approve": "Approve", "reason": ""},
                          follow_redirects=True)
    assert "Rosa Applicant is now a member." in decided.get_data(as_text=True)
    deliver()
    (welcome,) = mailbox.to("rosa@example.org")
    assert welcome.subject == "Welcome to Defensive Support"
    roster = client.get("/groups/defensive-support/roster").get_data(as_text=True)
    assert "Rosa Applicant" in roster and "Ana Existing" in roster and "Pat Pending" not in roster
    client.post("/logout")

    # 5. Staff email the rosters of both groups.
    login(client, "staff@example.org")
    mailbox.clear()
    sent = send_message(client, {
        "groups": [group.id, other.id], "subject": "Hill visit on Tuesday", "body": "Please **join** us.",
    })
    assert sent.status_code == 302
    deliver()
    received_by = sorted(address for m in mailbox.messages for address in m.rcpt_tos)
    assert received_by == ["ana@example.org", "omar@example.org", "rosa@example.org"]
    for message in mailbox.messages:
        assert message.message["To"].addresses[0].addr_spec == message.rcpt_tos[0]
        assert len(message.message["To"].addresses) == 1
        assert message.subject == "Hill visit on Tuesday"
        assert "Please **join** us." in message.text()
        assert "<strong>join</strong>" in message.html()
        assert "/me/" in message.text() and "/unsubscribe/" in message.text()
    (ana,) = mailbox.to("ana@example.org")
    assert "Defensive Support, Youth Organizing" in ana.text()
    status = client.get(sent.location).get_data(as_text=True)
    assert status.count("250 2.0.0 OK queued") == 3
    assert existing.id


def _membership_id(group, address):
    import sqlalchemy as sa

    from webapp.extensions import db
    from webapp.membership.models import Membership, Person

    return db.session.scalar(
        sa.select(Membership.id).join(Person).where(Person.email == address, Membership.group_id == group.id)
    )
