"""Removing the members ticked on the roster takes a confirmation step, as removing one does: it lists who goes,
asks why, and may tell each of them by email."""
import re

import pytest

from tests.conftest import login, membership_of
from webapp.membership.models import Status

SELECTED = "/groups/defensive-support/roster/selected"


@pytest.fixture
def members(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    found = {name: make.member(group, name=name.title(), email=f"{name}@example.org", organization="Oasis Legal")
             for name in ("ana", "ben", "cy")}
    found["pat"] = make.member(group, name="Pat Pending", email="pat@example.org", status="pending")
    found["group"] = group
    return found


def _ask(client, members, *names, **extra):
    return client.post(SELECTED, data={"selected": [members[n].id for n in names], "remove": "Remove",
                                       "tab": "active", "q": "oasis", **extra})


def test_remove_on_the_roster_shows_who_goes_and_asks_why_and_changes_nothing(client, members, mailbox, deliver):
    login(client, "dalia@example.org")
    response = _ask(client, members, "ana", "ben", "pat")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Remove 2 members from Defensive Support?" in page
    assert "Ana" in page and "ana@example.org" in page and "Ben" in page and "ben@example.org" in page
    assert "Oasis Legal" in page
    assert "Cy" not in page and "Pat Pending" not in page
    assert "1 of the members you ticked is no longer active and is not listed." in page
    assert 'name="reason"' in page and "Email each member that they were removed, with the reason" in page
    assert re.search(r'<button[^>]*name="confirm"[^>]*>Remove these 2 members</button>', page)
    assert 'href="/groups/defensive-support/roster?q=oasis"' in page  # Cancel goes back to the same roster
    for name in ("ana", "ben"):
        assert membership_of(members["group"], f"{name}@example.org").status == Status.ACTIVE
    deliver()
    assert mailbox.messages == []


def test_confirming_with_the_box_ticked_removes_each_and_emails_each_the_reason(client, members, mailbox, deliver):
    login(client, "dalia@example.org")
    page = _ask(client, members, "ana", "ben").get_data(as_text=True)
    selected = re.findall(r'name="selected" value="(\d+)"', page)
    assert sorted(map(int, selected)) == sorted([members["ana"].id, members["ben"].id])
    done = client.post(SELECTED, data={"selected": selected, "confirm": "Remove", "tell_members": "y",
                                       "reason": "The group is for staff only.", "tab": "active", "q": "oasis"})
    assert done.status_code == 302 and done.location == "/groups/defensive-support/roster?q=oasis"
    assert "2 members were removed from the group." in client.get(done.location).get_data(as_text=True)
    for name in ("ana", "ben"):
        membership = membership_of(members["group"], f"{name}@example.org")
        assert membership.status == Status.REMOVED
        assert membership.events[-1].reason == "The group is for staff only."
    assert membership_of(members["group"], "cy@example.org").status == Status.ACTIVE
    deliver()
    assert sorted(m.rcpt_tos[0] for m in mailbox.messages) == ["ana@example.org", "ben@example.org"]
    for name in ("ana", "ben"):
        (email,) = mailbox.to(f"{name}@example.org")
        assert email.subject == "You were removed from Defensive Support"
        assert email.message["To"] == f"{name.title()} <{name}@example.org>"
        assert "You were removed from Defensive Support" in email.text()
        assert "The reason given: The group is for staff only." in email.text()
        assert b"\r\nReply-To: Dalia Contact <dalia@example.org>\r\n" in email.data  # a reply reaches her


def test_confirming_without_the_box_tells_nobody(client, members, mailbox, deliver):
    login(client, "dalia@example.org")
    client.post(SELECTED, data={"selected": [members["ana"].id, members["ben"].id], "confirm": "Remove",
                                "reason": "Private reason"})
    assert membership_of(members["group"], "ana@example.org").status == Status.REMOVED
    assert membership_of(members["group"], "ben@example.org").status == Status.REMOVED
    deliver()
    assert mailbox.messages == []


def test_a_reason_too_long_shows_the_confirmation_again_with_its_error_and_removes_nobody(client, members):
    login(client, "dalia@example.org")
    response = client.post(SELECTED, data={"selected": [members["ana"].id, members["ben"].id], "confirm": "Remove",
                                           "tell_members": "y", "reason": "x" * 1001})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="flash error error-summary"' in page and 'href="#reason"' in page
    assert "The reason is too long (at most 1,000 characters)." in page
    assert "Remove 2 members from Defensive Support?" in page and "ana@example.org" in page
    assert "checked" in re.search(r'<input[^>]*name="tell_members"[^>]*>', page).group(0)  # kept as ticked
    assert membership_of(members["group"], "ana@example.org").status == Status.ACTIVE


def test_nobody_active_among_the_ticked_goes_back_to_the_roster(client, members):
    login(client, "dalia@example.org")
    response = _ask(client, members, "pat")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "None of the members you ticked is active; nothing was changed." in page


def test_removing_one_from_the_roster_speaks_of_one(client, members):
    login(client, "dalia@example.org")
    page = _ask(client, members, "cy").get_data(as_text=True)
    assert "Remove 1 member from Defensive Support?" in page
    assert re.search(r'<button[^>]*name="confirm"[^>]*>Remove this member</button>', page)
