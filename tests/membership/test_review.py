"""Contacts and staff decide requests, keep the roster and read each membership's history."""
import pytest

from tests.conftest import login, membership_of
from webapp.membership.models import Status


@pytest.fixture
def two_groups(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    alejandra = make.user(name="Alejandra Contact", email="alejandra@example.org")
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    defensive = make.group(contacts=[dalia])
    youth = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[alejandra])
    return dalia, alejandra, staff, defensive, youth


def test_a_contact_sees_only_their_own_groups_requests(client, make, two_groups):
    _, _, _, defensive, youth = two_groups
    make.member(defensive, name="Rosa Defensive", status="pending")
    make.member(youth, name="Yara Youth", status="pending")
    login(client, "dalia@example.org")
    page = client.get("/review").get_data(as_text=True)
    assert "Rosa Defensive" in page and "Yara Youth" not in page
    assert client.get("/groups/youth-organizing/review").status_code == 403
    assert client.get("/groups/youth-organizing/roster").status_code == 403


def test_staff_see_and_decide_for_every_group(client, make, two_groups, mailbox, deliver):
    _, _, _, defensive, youth = two_groups
    yara = make.member(youth, name="Yara Youth", email="yara@example.org", status="pending")
    login(client, "staff@example.org")
    assert "Yara Youth" in client.get("/review").get_data(as_text=True)
    client.post(f"/memberships/{yara.id}/decide", data={"approve": "Approve"})
    assert membership_of(youth, "yara@example.org").status == Status.ACTIVE
    deliver()
    assert mailbox.to("yara@example.org")[0].subject == "Welcome to Youth Organizing"


def test_acting_on_another_groups_request_is_403_and_changes_nothing(client, make, two_groups, mailbox, deliver):
    _, _, _, defensive, youth = two_groups
    yara = make.member(youth, email="yara@example.org", status="pending")
    login(client, "dalia@example.org")
    assert client.post(f"/memberships/{yara.id}/decide", data={"approve": "Approve"}).status_code == 403
    assert client.post(f"/memberships/{yara.id}/remove", data={}).status_code == 403
    assert client.get(f"/memberships/{yara.id}").status_code == 403
    assert membership_of(youth, "yara@example.org").status == Status.PENDING
    deliver()
    assert mailbox.messages == []


def test_decline_with_a_reason_tells_the_applicant_the_reason(client, make, two_groups, mailbox, deliver):
    _, _, _, defensive, _ = two_groups
    rosa = make.member(defensive, email="rosa@example.org", status="pending")
    login(client, "dalia@example.org")
    page = client.post(f"/memberships/{rosa.id}/decide", data={"decline": "Decline", "reason": "Lawyers only"},
                       follow_redirects=True).get_data(as_text=True)
    assert "You declined the request" in page
    membership = membership_of(defensive, "rosa@example.org")
    assert membership.status == Status.DECLINED and membership.decision_reason == "Lawyers only"
    event = membership.events[-1]
    assert (event.from_status, event.to_status, event.reason, event.actor.email) == \
        (Status.PENDING, Status.DECLINED, "Lawyers only", "dalia@example.org")
    deliver()
    (email,) = mailbox.to("rosa@example.org")
    assert "was not approved" in email.text() and "Lawyers only" in email.text()


def test_a_request_decided_twice_gets_a_clear_message_and_no_second_email(client, make, two_groups, mailbox,
                                                                           deliver, app):
    _, _, _, defensive, _ = two_groups
    rosa = make.member(defensive, email="rosa@example.org", status="pending")
    other_tab = app.test_client()
    login(client, "dalia@example.org")
    login(other_tab, "staff@example.org")
    client.post(f"/memberships/{rosa.id}/decide", data={"approve": "Approve"})
    page = other_tab.post(f"/memberships/{rosa.id}/decide", data={"decline": "Decline"},
                          follow_redirects=True).get_data(as_text=True)
    assert "already decided; nothing was changed and no email was sent" in page
    assert membership_of(defensive, "rosa@example.org").status == Status.ACTIVE
    deliver()
    assert len(mailbox.to("rosa@example.org")) == 1


def test_an_overlong_reason_is_refused_and_nothing_changes(client, make, two_groups):
    _, _, _, defensive, _ = two_groups
    rosa = make.member(defensive, email="rosa@example.org", status="pending")
    login(client, "dalia@example.org")
    page = client.post(f"/memberships/{rosa.id}/decide", data={"decline": "Decline", "reason": "x" * 1001},
                       follow_redirects=True).get_data(as_text=True)
    assert "The reason is too long" in page
    assert membership_of(defensive, "rosa@example.org").status == Status.PENDING


def test_roster_lists_active_members_with_organization_and_join_date(client, make, two_groups):
    _, _, _, defensive, _ = two_groups
    make.member(defensive, name="Ana Active", organization="Oasis Legal Services")
    make.member(defensive, name="Pat Pending", status="pending")
    make.member(defensive, name="Lee Left", status="left")
    login(client, "dalia@example.org")
    page = client.get("/groups/defensive-support/roster").get_data(as_text=True)
    assert "Ana Active" in page and "Oasis Legal Services" in page and "1 active member" in page
    assert "Pat Pending" not in page and "Lee Left" not in page


def test_removing_a_member_is_recorded_with_who_and_why(client, make, two_groups):
    _, _, _, defensive, _ = two_groups
    ana = make.member(defensive, name="Ana Active", email="ana@example.org")
    login(client, "dalia@example.org")
    page = client.post(f"/memberships/{ana.id}/remove", data={"reason": "Asked by phone"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Ana Active was removed from the group." in page
    assert "Asked by phone" in page and "Dalia Contact" in page and "Removed" in page
    assert membership_of(defensive, "ana@example.org").status == Status.REMOVED
    again = client.post(f"/memberships/{ana.id}/remove", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Only an active member can be removed" in again


def test_review_and_roster_pages_run_a_fixed_number_of_queries(client, make, two_groups, count_queries):
    dalia, _, _, defensive, _ = two_groups
    login(client, "dalia@example.org")
    pages = ["/review", "/groups/defensive-support/review", "/groups/defensive-support/roster", "/groups",
             "/dashboard"]

    def queries_per_page():
        return {page: count_queries(lambda: client.get(page)) for page in pages}

    for _ in range(2):
        make.member(defensive, status="pending", organization="Org A")
        make.member(defensive, status="active", organization="Org B")
    few = queries_per_page()
    for i in range(10):
        make.member(defensive, status="pending", organization=f"Org P{i}")
        make.member(defensive, status="active", organization=f"Org Q{i}")
    assert queries_per_page() == few


def test_membership_history_page_runs_a_fixed_number_of_queries(client, make, two_groups, count_queries):
    _, _, _, defensive, _ = two_groups
    ana = make.member(defensive, email="ana@example.org", status="pending")
    url = f"/memberships/{ana.id}"
    login(client, "dalia@example.org")
    few = count_queries(lambda: client.get(url))
    client.post(f"{url}/decide", data={"approve": "Approve"})
    client.post(f"{url}/remove", data={"reason": "test"})
    assert count_queries(lambda: client.get(url)) == few
