"""Staff read who did what: sentences with links, filters, pages, times in the coalition's zone."""
import re
from datetime import datetime, timedelta, timezone
from html import unescape

import sqlalchemy as sa

import pytest
from tests.conftest import login
from webapp.audit.models import AuditEvent
from webapp.extensions import db


@pytest.fixture
def config_overrides():
    return {"TIME_ZONE": "America/Los_Angeles", "BABEL_DEFAULT_TIMEZONE": "America/Los_Angeles"}


def sentences(page):
    """The 'What happened' cells as text, in order."""
    cells = re.findall(r'<td data-label="What happened">(.*?)</td>', page, re.S)
    return [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", cell.replace("<br>", " ")))).strip()
            for cell in cells]


def test_staff_read_who_decided_what_as_a_sentence_with_links(client, make):
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    dalia = make.user(name="Dalia Castillo-Granados", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    isabel = make.member(group, name="Isabel Vega", email="isabel@example.org", status="pending")
    rosa = make.member(group, name="Rosa Diaz", email="rosa@example.org", status="pending")
    login(client, "dalia@example.org")
    client.post(f"/memberships/{isabel.id}/decide", data={"approve": "Approve"})
    client.post(f"/memberships/{rosa.id}/decide", data={"decline": "Decline", "reason": "Not now"})
    client.post("/logout")
    login(client, "staff@example.org")
    page = client.get("/staff/audit").get_data(as_text=True)
    said = sentences(page)
    assert said[0] == "Dalia Castillo-Granados declined Rosa Diaz’s request to join Defensive Support Reason: Not now"
    assert said[1] == "Dalia Castillo-Granados approved Isabel Vega’s request to join Defensive Support"
    assert f'<a href="/memberships/{isabel.id}">Isabel Vega</a>' in page
    assert '<a href="/groups/defensive-support">Defensive Support</a>' in page
    assert "127.0.0.1" in page
    assert "membership.decline" not in page


def test_times_are_in_the_coalitions_time_zone(client, make):
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    db.session.execute(sa.update(AuditEvent).values(created_at=datetime(2026, 7, 1, 18, 30, tzinfo=timezone.utc)))
    db.session.commit()
    login(client, "staff@example.org")
    page = client.get("/staff/audit").get_data(as_text=True)
    assert re.search(r">7/1/26, 11:30\s?AM</time>", page), re.findall(r"<time[^>]*>[^<]*", page)


def test_filters_by_actor_action_group_and_date_and_pages(client, make):
    staff = make.user(name="Sam Staff", email="staff@example.org", role="staff")
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    ds = make.group(contacts=[dalia])
    yo = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[dalia])
    a = make.member(ds, name="Ana Uno", status="pending")
    b = make.member(yo, name="Beto Dos", status="pending")
    login(client, "dalia@example.org")
    client.post(f"/memberships/{a.id}/decide", data={"approve": "Approve"})
    client.post(f"/memberships/{b.id}/decide", data={"approve": "Approve"})
    client.post("/logout")
    login(client, "staff@example.org")

    def said(query):
        response = client.get("/staff/audit?" + query)
        assert response.status_code == 200
        return sentences(response.get_data(as_text=True))

    assert said(f"group={yo.id}") == ["Dalia Contact approved Beto Dos’s request to join Youth Organizing"]
    assert said(f"actor={dalia.id}&action=requests") == [
        "Dalia Contact approved Beto Dos’s request to join Youth Organizing",
        "Dalia Contact approved Ana Uno’s request to join Defensive Support"]
    assert said("action=accounts") == ["Someone created the account of Dalia Contact",
                                       "Someone created the account of Sam Staff"]  # made with no one signed in
    in_two_days = (datetime.now(timezone.utc) + timedelta(days=2)).date().isoformat()
    today = datetime.now(timezone.utc).date()
    assert said(f"since={in_two_days}") == []
    assert said("until=2000-01-01") == []
    assert len(said(f"since={today - timedelta(days=1)}&until={today + timedelta(days=1)}")) == 4
    assert client.get("/staff/audit?since=not-a-date").status_code == 400
    assert client.get("/staff/audit?since=2026-05-02&until=2026-05-01").status_code == 400
    assert client.get("/staff/audit?actor=999999").status_code == 400

    db.session.execute(sa.insert(AuditEvent), [
        {"action": "group.save", "actor_id": staff.id, "actor_label": "staff@example.org", "target": f"group:{ds.id}",
         "details": {}, "ip_address": "", "created_at": datetime.now(timezone.utc)} for _ in range(150)])
    db.session.commit()
    first = client.get(f"/staff/audit?group={ds.id}").get_data(as_text=True)
    assert "Page 1 of 2" in first and f'href="/staff/audit?group={ds.id}&amp;page=2"' in first
    second = sentences(client.get(f"/staff/audit?group={ds.id}&page=2").get_data(as_text=True))
    assert second[-1] == "Dalia Contact approved Ana Uno’s request to join Defensive Support"
    assert second[0] == "Sam Staff saved the group Defensive Support"


def test_only_staff_read_the_audit_log(client, make):
    make.user(email="dalia@example.org")
    login(client, "dalia@example.org")
    assert client.get("/staff/audit").status_code == 403
