"""A member's own page, reached from the link in their emails: see their groups, leave one."""
from tests.conftest import membership_of
from webapp.membership.models import Status
from webapp.membership.tokens import member_token


def test_a_member_leaves_a_group_and_stays_in_the_other(client, make):
    defensive = make.group()
    youth = make.group(slug="youth-organizing", name="Youth Organizing")
    ana = make.member(defensive, email="ana@example.org")
    make.member(youth, email="ana@example.org")
    page_url = f"/me/{member_token(ana.person)}"
    page = client.get(page_url).get_data(as_text=True)
    assert "Leave Defensive Support" in page and "Leave Youth Organizing" in page
    left = client.post(f"{page_url}/leave/{ana.id}", follow_redirects=True).get_data(as_text=True)
    assert "You left Defensive Support" in left
    assert membership_of(defensive, "ana@example.org").status == Status.LEFT
    assert membership_of(youth, "ana@example.org").status == Status.ACTIVE
    assert membership_of(defensive, "ana@example.org").events[-1].actor_label == "member"


def test_someone_elses_membership_cannot_be_left_with_your_link(client, make):
    group = make.group()
    ana = make.member(group, email="ana@example.org")
    ben = make.member(group, email="ben@example.org")
    response = client.post(f"/me/{member_token(ana.person)}/leave/{ben.id}")
    assert response.status_code == 404
    assert membership_of(group, "ben@example.org").status == Status.ACTIVE


def test_a_forged_member_link_is_not_found(client, app):
    assert client.get("/me/not-a-real-token").status_code == 404
