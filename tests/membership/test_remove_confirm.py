"""Removing a member takes a confirmation step that shows who and asks why; the member may be told, by email."""
from tests.conftest import login, membership_of
from webapp.membership.models import Status


def setup(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    ana = make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis Legal Services")
    return group, ana


def test_the_history_links_to_a_page_that_shows_who_and_asks_why_and_changes_nothing(client, make, mailbox, deliver):
    group, ana = setup(make)
    login(client, "dalia@example.org")
    history = client.get(f"/memberships/{ana.id}").get_data(as_text=True)
    assert f'<a href="/memberships/{ana.id}/remove">Remove Ana Active from the group…</a>' in history
    page = client.get(f"/memberships/{ana.id}/remove").get_data(as_text=True)
    assert "Remove Ana Active from Defensive Support?" in page
    assert "ana@example.org" in page and "Oasis Legal Services" in page
    assert 'name="reason"' in page and "Email the member that they were removed, with the reason" in page
    assert membership_of(group, "ana@example.org").status == Status.ACTIVE
    deliver()
    assert mailbox.messages == []


def test_removing_with_the_box_ticked_emails_the_member_the_reason(client, make, mailbox, deliver):
    group, ana = setup(make)
    login(client, "dalia@example.org")
    done = client.post(f"/memberships/{ana.id}/remove", data={"reason": "The group is for staff only.",
                                                              "tell_member": "y"}, follow_redirects=True)
    assert "Ana Active was removed from the group." in done.get_data(as_text=True)
    assert membership_of(group, "ana@example.org").status == Status.REMOVED
    deliver()
    (email,) = mailbox.to("ana@example.org")
    assert email.subject == "You were removed from Defensive Support"
    assert "You were removed from Defensive Support" in email.text()
    assert "The reason given: The group is for staff only." in email.text()


def test_removing_without_the_box_tells_nobody(client, make, mailbox, deliver):
    group, ana = setup(make)
    login(client, "dalia@example.org")
    client.post(f"/memberships/{ana.id}/remove", data={"reason": "Private reason"})
    assert membership_of(group, "ana@example.org").status == Status.REMOVED
    deliver()
    assert mailbox.to("ana@example.org") == []


def test_a_reason_too_long_shows_the_form_again_with_its_error_and_removes_nobody(client, make):
    group, ana = setup(make)
    login(client, "dalia@example.org")
    response = client.post(f"/memberships/{ana.id}/remove", data={"reason": "x" * 1001})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="flash error error-summary"' in page and 'href="#reason"' in page
    assert membership_of(group, "ana@example.org").status == Status.ACTIVE


def test_a_member_no_longer_active_is_not_asked_about(client, make):
    group, ana = setup(make)
    login(client, "dalia@example.org")
    client.post(f"/memberships/{ana.id}/remove", data={})
    again = client.get(f"/memberships/{ana.id}/remove", follow_redirects=True).get_data(as_text=True)
    assert "Only an active member can be removed" in again


def test_a_reply_to_the_removal_email_reaches_the_contact_who_removed_and_it_links_to_their_page(client, make,
                                                                                                 mailbox, deliver):
    group, ana = setup(make)
    login(client, "dalia@example.org")
    client.post(f"/memberships/{ana.id}/remove", data={"reason": "The group is for staff only.", "tell_member": "y"})
    deliver()
    (email,) = mailbox.to("ana@example.org")
    assert b"\r\nReply-To: Dalia Contact <dalia@example.org>\r\n" in email.data
    assert "reply to this email" in email.text()
    (page_url,) = [u for u in email.text().split() if "/me/" in u]
    client.post("/logout")
    page = client.get(page_url.replace("http://localhost", "")).get_data(as_text=True)
    assert "Defensive Support" in page and "Removed" in page


def test_when_staff_remove_replies_go_to_the_groups_listed_contact(client, make, mailbox, deliver):
    group, ana = setup(make)
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    client.post(f"/memberships/{ana.id}/remove", data={"reason": "", "tell_member": "y"})
    deliver()
    (email,) = mailbox.to("ana@example.org")
    assert b"\r\nReply-To: Dalia Contact <dalia@example.org>\r\n" in email.data
    assert b"groups@" not in email.message["Reply-To"].encode()


def test_other_notices_name_no_reply_address(client, make, mailbox, deliver):
    group, ana = setup(make)
    client.post("/groups/defensive-support", data={"name": "Rosa", "email": "rosa@example.org", "consent": "y"})
    deliver()
    (confirmation,) = mailbox.to("rosa@example.org")
    assert b"\r\nReply-To:" not in confirmation.data
