"""Adding one member by hand, the roster's links to it, and an organization's people."""
import pytest
import sqlalchemy as sa

from tests.conftest import login, membership_of
from tests.membership.import_helpers import counts
from webapp.audit.models import AuditEvent
from webapp.extensions import db
from webapp.membership import services
from webapp.membership.models import Status
from webapp.outbox import blocks
from webapp.outbox.models import SuppressionKind
from webapp.outbox.services import suppress

NEW = "/groups/defensive-support/members/new"
ROSA = {"name": "Rosa Nueva", "email": "rosa@example.org", "organization": "Oasis Legal", "role_title": "Organizer"}


@pytest.fixture
def group(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    make.user(name="Lou Other", email="lou@example.org")
    return make.group(contacts=[dalia])


def test_the_form_is_labelled_and_the_roster_links_to_it_and_to_the_import(client, group):
    login(client, "dalia@example.org")
    roster = client.get("/groups/defensive-support/roster").get_data(as_text=True)
    assert 'href="/groups/defensive-support/import">Import members (CSV)</a>' in roster
    assert f'href="{NEW}">Add a member</a>' in roster
    page = client.get(NEW).get_data(as_text=True)
    for field in ("name", "email", "organization", "role_title", "welcome"):
        assert f'<label for="{field}">' in page


def test_a_new_person_is_added_active_with_history_and_an_audit_row_and_no_email(client, group, mailbox, deliver):
    login(client, "dalia@example.org")
    response = client.post(NEW, data=ROSA)
    assert response.status_code == 302 and response.location.endswith("/groups/defensive-support/roster")
    roster = client.get(response.location).get_data(as_text=True)
    assert "Rosa Nueva is now a member of Defensive Support." in roster and "Oasis Legal" in roster
    rosa = membership_of(group, "rosa@example.org")
    assert rosa.status == Status.ACTIVE and rosa.joined_at and rosa.role_title == "Organizer"
    assert [(e.from_status, e.to_status, e.actor_label) for e in rosa.events] == [
        (None, Status.ACTIVE, "added by Dalia Contact")]
    assert "Added by Dalia Contact" in client.get(f"/memberships/{rosa.id}").get_data(as_text=True)
    assert db.session.execute(sa.select(AuditEvent.action, AuditEvent.target)
                              .where(AuditEvent.action.like("membership.%"))).all() == [
        ("membership.add", f"membership:{rosa.id}")]
    deliver()
    assert mailbox.messages == []


def test_with_the_box_ticked_an_internationalized_address_gets_its_welcome(client, group, mailbox, deliver):
    login(client, "dalia@example.org")
    client.post(NEW, data={**ROSA, "email": "José@Example.org", "welcome": "y"})
    assert membership_of(group, "josé@example.org").status == Status.ACTIVE
    deliver()
    (welcome,) = mailbox.messages
    assert welcome.rcpt_tos == ["josé@example.org"] and welcome.subject == "Welcome to Defensive Support"


def test_an_active_member_is_told_apart_and_nothing_changes(client, make, group, mailbox, deliver):
    make.member(group, name="Ana Active", email="ana@example.org")
    login(client, "dalia@example.org")
    before = counts()
    response = client.post(NEW, data={**ROSA, "email": "ANA@example.org", "welcome": "y"})
    assert response.status_code == 409
    assert "ana@example.org is already a member of Defensive Support; nothing was changed." in \
        response.get_data(as_text=True)
    assert counts() == before
    deliver()
    assert mailbox.messages == []


@pytest.mark.parametrize("status, label, reason", [
    ("left", "member", "Left the group; only they can ask to join again."),
    ("left", services.UNSUBSCRIBE_LABEL, "Left the group by the unsubscribe link in an email"),
    ("removed", "Dalia Contact", "Was removed from the group."),
    ("declined", "Dalia Contact", "Their request to join was declined"),
    ("pending", "applicant", "Has a pending request"),
])
def test_a_status_that_blocks_it_is_refused_with_the_reason(client, make, group, status, label, reason):
    membership = make.member(group, name="Lee", email="lee@example.org", status=status)
    membership.events[0].actor_label = label
    db.session.commit()
    login(client, "dalia@example.org")
    before = counts()
    response = client.post(NEW, data={**ROSA, "email": "lee@example.org"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "lee@example.org was not added:" in page and reason in page
    assert counts() == before
    assert membership_of(group, "lee@example.org").status == status


@pytest.mark.parametrize("email, reason", [("bo@example.org", "Mail to this address bounces."),
                                           ("eve@spam.example.com", "This address is blocked by staff.")])
def test_a_bouncing_or_blocked_address_is_refused(client, group, email, reason):
    suppress("bo@example.org", "bouncing: score 5", kind=SuppressionKind.BOUNCE)
    blocks.add("spam.example.com")
    db.session.commit()
    login(client, "dalia@example.org")
    response = client.post(NEW, data={**ROSA, "email": email})
    assert response.status_code == 409 and reason in response.get_data(as_text=True)
    assert membership_of(group, email) is None


@pytest.mark.parametrize("changes, message", [
    ({"email": "not-an-address"}, "Please enter a valid email address."),
    ({"email": "groups@example.org"}, "This is the group system's own address; it cannot be a member."),
    ({"name": ""}, "Please enter their name."),
    ({"name": "x" * 121}, "Field cannot be longer than 120 characters."),
])
def test_invalid_input_reshows_the_form_with_its_errors(client, group, changes, message):
    login(client, "dalia@example.org")
    response = client.post(NEW, data={**ROSA, **changes})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert counts()[:2] == (0, 0)


def test_only_the_groups_contacts_and_staff_may_add(client, group):
    assert client.get(NEW).status_code == 302
    login(client, "lou@example.org")
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, data=ROSA).status_code == 403
    assert counts()[:2] == (0, 0)
    staff = client.application.test_client()
    login(staff, "staff@example.org")
    assert staff.post(NEW, data=ROSA).status_code == 302


def test_an_organizations_staff_page_links_to_its_people_with_their_groups_and_statuses(client, make, group):
    youth = make.group(slug="youth-organizing", name="Youth Organizing")
    ana = make.member(group, name="Ana Active", email="ana@example.org", organization="Oasis Legal")
    make.member(youth, name="Ana Active", email="ana@example.org", status="pending", organization="Oasis Legal")
    make.member(youth, name="Lee Left", email="lee@example.org", status="left", organization="oasis legal")
    make.member(group, name="Tom Other", email="tom@example.org", organization="The Door")
    login(client, "staff@example.org")
    people_url = f"/staff/organizations/{ana.organization_id}/people"
    assert f'href="{people_url}"' in client.get(f"/staff/organizations/{ana.organization_id}").get_data(as_text=True)
    page = client.get(people_url).get_data(as_text=True)
    assert "Oasis Legal" in page and "Tom Other" not in page
    ana_row = page[page.index("Ana Active"):].split("</tr>")[0]
    assert "Defensive Support" in ana_row and "Active" in ana_row and "Youth Organizing" in ana_row
    assert "Pending" in ana_row
    lee_row = page[page.index("Lee Left"):].split("</tr>")[0]
    assert "Youth Organizing" in lee_row and "Left" in lee_row
    assert client.get("/staff/organizations/999999/people").status_code == 404
    contact = client.application.test_client()
    login(contact, "dalia@example.org")
    assert contact.get(people_url).status_code == 403


def test_an_organizations_people_page_runs_a_fixed_number_of_queries(client, make, group, count_queries):
    youth = make.group(slug="youth-organizing", name="Youth Organizing")
    first = make.member(group, organization="Oasis Legal")
    login(client, "staff@example.org")
    path = f"/staff/organizations/{first.organization_id}/people"
    few = count_queries(lambda: client.get(path))
    for i in range(10):
        make.member(group if i % 2 else youth, organization="Oasis Legal", status="active" if i % 3 else "left")
    assert count_queries(lambda: client.get(path)) == few
