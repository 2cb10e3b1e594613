"""Writing to a roster: compose, preview, send, and who may do it."""
import re

import pytest

from tests.conftest import login
from tests.mailing.sending import send_message


@pytest.fixture
def setup(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    defensive = make.group(contacts=[dalia])
    youth = make.group(slug="youth-organizing", name="Youth Organizing")
    make.member(defensive, name="Ana Active", email="ana@example.org")
    make.member(youth, name="Yara Youth", email="yara@example.org")
    return defensive, youth


def compose(client, groups, subject="Meeting notes", body="Hello **all**", button="send"):
    data = {"groups": [g.id for g in groups], "subject": subject, "body": body}
    if button == "send":
        return send_message(client, data)
    return client.post("/messages/new", data={**data, button: "x"})


def test_preview_shows_what_a_member_receives_and_sends_nothing(client, setup, mailbox, deliver):
    defensive, _ = setup
    login(client, "dalia@example.org")
    page = compose(client, [defensive], button="preview").get_data(as_text=True)
    assert "It will go to 1 member." in page
    assert "<strong>all</strong>" in page and "Hello **all**" in page
    assert "You receive this email as a member of Defensive Support" in page
    assert "http://localhost/unsubscribe/" in page
    assert 'value="Meeting notes"' in page  # the form keeps what was written
    deliver()
    assert mailbox.messages == []


def test_the_preview_hands_out_no_working_link_of_a_real_member(client, setup):
    defensive, _ = setup
    login(client, "dalia@example.org")
    page = compose(client, [defensive], button="preview").get_data(as_text=True)
    links = set(re.findall(r'http://localhost(/(?:me|unsubscribe)/[^"<\s]+)', page))
    assert links == {"/me/preview-sample-link", "/unsubscribe/preview-sample-link"}
    for link in links:
        assert client.get(link).status_code == 404


def test_a_contact_may_write_only_to_their_own_groups(client, setup, mailbox, deliver):
    defensive, youth = setup
    login(client, "dalia@example.org")
    page = client.get("/messages/new").get_data(as_text=True)
    assert "Defensive Support" in page and "Youth Organizing" not in page
    response = compose(client, [youth])
    assert response.status_code == 400 and "is not a valid choice" in response.get_data(as_text=True)
    deliver()
    assert mailbox.messages == []


def test_someone_who_is_no_groups_contact_cannot_compose(client, make, setup):
    make.user(email="nobody@example.org")
    login(client, "nobody@example.org")
    assert client.get("/messages/new").status_code == 403


def test_missing_subject_body_or_group_is_refused_with_messages(client, setup):
    login(client, "staff@example.org")
    response = client.post("/messages/new", data={"subject": "", "body": "", "send": "x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Please write a subject.", "Please write the message.", "Choose at least one group."):
        assert message in page


def test_html_in_the_body_is_not_passed_through(client, setup, mailbox, deliver):
    defensive, _ = setup
    login(client, "staff@example.org")
    compose(client, [defensive], body="Hi <script>alert(1)</script> [x](javascript:alert(1))")
    deliver()
    (email,) = mailbox.messages
    assert "<script" not in email.html() and 'href="javascript:' not in email.html()
    assert "&lt;script&gt;" in email.html()  # shown as text, harmless


def test_the_message_page_shows_each_recipients_status_and_reply(client, setup, mailbox, deliver):
    defensive, youth = setup
    login(client, "staff@example.org")
    sent = compose(client, [defensive, youth])
    queued = client.get(sent.location).get_data(as_text=True)
    assert queued.count(">Queued<") >= 2 and "ana@example.org" in queued and "yara@example.org" in queued
    deliver()
    page = client.get(sent.location).get_data(as_text=True)
    assert page.count("250 2.0.0 OK queued") == 2
    assert "Meeting notes" in client.get("/messages/").get_data(as_text=True)


def test_contacts_see_only_messages_to_their_groups(client, setup, app):
    defensive, youth = setup
    login(client, "staff@example.org")
    to_youth = compose(client, [youth], subject="Youth only").location
    client.post("/logout")
    login(client, "dalia@example.org")
    assert "Youth only" not in client.get("/messages/").get_data(as_text=True)
    assert client.get(to_youth).status_code == 403


def test_a_message_is_one_email_per_person_and_only_active_members(client, make, setup, mailbox, deliver):
    defensive, youth = setup
    make.member(youth, name="Ana Active", email="ana@example.org")
    make.member(defensive, email="pending@example.org", status="pending")
    make.member(defensive, email="left@example.org", status="left")
    login(client, "staff@example.org")
    compose(client, [defensive, youth])
    deliver()
    assert sorted(a for m in mailbox.messages for a in m.rcpt_tos) == ["ana@example.org", "yara@example.org"]


def test_the_message_page_runs_a_fixed_number_of_queries(client, make, setup, count_queries, deliver):
    defensive, _ = setup
    login(client, "staff@example.org")
    few = compose(client, [defensive]).location
    for _ in range(15):
        make.member(defensive)
    many = compose(client, [defensive]).location
    deliver()
    assert count_queries(lambda: client.get(few)) == count_queries(lambda: client.get(many))


def test_staff_pages_run_a_fixed_number_of_queries(client, make, setup, count_queries):
    defensive, youth = setup
    login(client, "staff@example.org")
    pages = ["/messages/", "/staff/accounts", "/staff/groups", "/organizations", "/"]
    compose(client, [defensive])

    def queries_per_page():
        return {page: count_queries(lambda: client.get(page)) for page in pages}

    few = queries_per_page()
    for i in range(5):
        contact = make.user(email=f"contact{i}@example.org")
        make.group(slug=f"group-{i}", name=f"Group {i}", contacts=[contact])
        compose(client, [defensive, youth], subject=f"Update {i}")
    assert queries_per_page() == few


def test_sending_says_how_many_members_it_went_to(client, setup):
    defensive, youth = setup
    login(client, "staff@example.org")
    one = compose(client, [defensive])
    assert "Your message is queued for 1 member." in client.get(one.location).get_data(as_text=True)
    two = compose(client, [defensive, youth])
    assert "Your message is queued for 2 members." in client.get(two.location).get_data(as_text=True)
