"""Acting on many members at once: tick them on the roster, then remove them or download them."""
import csv
import io

import pytest
import sqlalchemy as sa

from tests.conftest import login, membership_of
from webapp.accounts.models import User
from webapp.audit.models import AuditEvent
from webapp.extensions import db
from webapp.membership import services
from webapp.membership.models import Status

SELECTED = "/groups/defensive-support/roster/selected"


@pytest.fixture
def group(make):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    make.user(name="Alejandra Contact", email="alejandra@example.org")
    group = make.group(contacts=[contact])
    return group


@pytest.fixture
def members(make, group):
    return {name: make.member(group, name=name.title(), email=f"{name}@example.org", organization="Org")
            for name in ("ana", "ben", "cy", "dee")}


def test_a_contact_removes_the_ticked_members_each_with_its_history(client, group, members):
    login(client, "dalia@example.org")
    roster = client.get("/groups/defensive-support/roster").get_data(as_text=True)
    assert f'name="selected" value="{members["ana"].id}"' in roster and "Remove the selected members" in roster
    page = client.post(SELECTED, data={"selected": [members["ana"].id, members["ben"].id], "confirm": "Remove",
                                       "reason": "Left the coalition", "tab": "active", "page": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "2 members were removed from the group." in page
    assert "Ana" not in page.split("<table")[1] and "Cy" in page
    for name in ("ana", "ben"):
        membership = membership_of(group, f"{name}@example.org")
        assert membership.status == Status.REMOVED
        event = membership.events[-1]
        assert (event.from_status, event.to_status, event.reason, event.actor.email) == \
            (Status.ACTIVE, Status.REMOVED, "Left the coalition", "dalia@example.org")
    assert membership_of(group, "cy@example.org").status == Status.ACTIVE
    # One audit row per membership, as when one member is removed: the log names each one.
    targets = db.session.scalars(sa.select(AuditEvent.target).where(AuditEvent.action == "membership.remove"))
    assert sorted(targets) == sorted([f"membership:{members['ana'].id}", f"membership:{members['ben'].id}"])


def test_members_who_are_no_longer_active_are_skipped_and_counted(client, group, members, make, app):
    login(client, "dalia@example.org")
    other_tab = app.test_client()
    login(other_tab, "dalia@example.org")
    other_tab.post(f"/memberships/{members['cy'].id}/remove", data={})  # the same member, from another tab
    page = client.post(SELECTED, data={"selected": [members["ana"].id, members["cy"].id], "confirm": "Remove"},
                       follow_redirects=True).get_data(as_text=True)
    assert "1 member was removed from the group." in page
    assert "1 was no longer active and was left as it was." in page
    assert len(membership_of(group, "cy@example.org").events) == 2  # made, removed once: nothing more


def test_remove_many_reports_removed_and_skipped_and_ignores_other_groups(make, group, members):
    youth = make.group(slug="youth-organizing", name="Youth Organizing")
    yara = make.member(youth, name="Yara", email="yara@example.org")
    pat = make.member(group, name="Pat", email="pat@example.org", status="pending")
    dalia = db.session.scalar(sa.select(User).where(User.email == "dalia@example.org"))
    ids = [members["ana"].id, members["ben"].id, pat.id, yara.id, 99999]
    assert services.remove_many(group, ids, dalia, "tidying") == (2, 1)
    assert membership_of(youth, "yara@example.org").status == Status.ACTIVE
    assert membership_of(group, "pat@example.org").status == Status.PENDING
    assert services.remove_many(group, ids, dalia) == (0, 3)


def test_nothing_ticked_or_a_reason_too_long_changes_nothing_and_says_why(client, group, members):
    login(client, "dalia@example.org")
    page = client.post(SELECTED, data={"remove": "Remove"}, follow_redirects=True).get_data(as_text=True)
    assert "Select at least one member." in page
    page = client.post(SELECTED, data={"selected": [members["ana"].id], "confirm": "Remove", "reason": "x" * 1001},
                       follow_redirects=True).get_data(as_text=True)
    assert "The reason is too long (at most 1,000 characters)." in page
    assert membership_of(group, "ana@example.org").status == Status.ACTIVE


@pytest.mark.parametrize("selected", ["abc", "0", "-3", "99999999999", ""])
def test_a_selection_that_is_not_membership_numbers_is_a_400(client, group, members, selected):
    login(client, "dalia@example.org")
    assert client.post(SELECTED, data={"selected": [selected], "remove": "Remove"}).status_code == 400
    assert client.post(SELECTED, data={"selected": [members["ana"].id]}).status_code == 400  # which button?


def test_after_acting_the_roster_shows_the_same_tab_search_and_page(client, group, members):
    login(client, "dalia@example.org")
    response = client.post(SELECTED, data={"selected": [members["ana"].id], "confirm": "Remove", "tab": "active",
                                           "q": "org", "sort": "date", "order": "desc", "page": "1"})
    assert response.headers["Location"] == "/groups/defensive-support/roster?q=org&sort=date&order=desc"


def test_another_groups_contact_can_neither_remove_nor_download(client, group, members):
    login(client, "alejandra@example.org")
    for button in ("remove", "export"):
        assert client.post(SELECTED, data={"selected": [members["ana"].id], button: "x"}).status_code == 403
    assert membership_of(group, "ana@example.org").status == Status.ACTIVE


def test_the_ticked_members_download_as_the_rosters_csv(client, make, group, members):
    evil = make.member(group, name="=cmd|'/c calc'!A1", email="evil@example.org")
    login(client, "dalia@example.org")
    response = client.post(SELECTED, data={"selected": [members["cy"].id, evil.id, members["ana"].id],
                                           "export": "Download"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="defensive-support-selected.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Name", "Email", "Organization", "Role or title", "Joined"]
    assert [row[:3] for row in rows[1:]] == [["'=cmd|'/c calc'!A1", "evil@example.org", ""],
                                             ["Ana", "ana@example.org", "Org"], ["Cy", "cy@example.org", "Org"]]
    assert membership_of(group, "ana@example.org").status == Status.ACTIVE  # downloading changes nothing


def test_a_member_changed_between_reading_and_writing_the_batch_is_skipped_and_the_rest_removed(
        make, group, members, monkeypatch):
    # On PostgreSQL the batch's rows are locked as they are read: no one can change them meanwhile.
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: on PostgreSQL the other writer would wait for the batch")
    dalia = db.session.scalar(sa.select(User).where(User.email == "dalia@example.org"))
    real = services._transition
    ben_id = members["ben"].id

    def another_request_removes_ben_first(membership, *args, **kwargs):
        monkeypatch.setattr(services, "_transition", real)
        with db.engine.begin() as other:
            other.execute(sa.text("UPDATE membership SET status = 'left' WHERE id = :id"), {"id": ben_id})
        return real(membership, *args, **kwargs)

    monkeypatch.setattr(services, "_transition", another_request_removes_ben_first)
    assert services.remove_many(group, [members["ana"].id, ben_id, members["cy"].id], dalia) == (2, 1)
    assert [membership_of(group, f"{n}@example.org").status for n in ("ana", "ben", "cy")] == \
        [Status.REMOVED, Status.LEFT, Status.REMOVED]
    assert [len(membership_of(group, f"{n}@example.org").events) for n in ("ana", "ben", "cy")] == [2, 1, 2]
