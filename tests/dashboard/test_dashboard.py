"""The dashboard: each group's figures, three charts with their numbers, and a fixed cost at 100,000 memberships."""
import base64
import re
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo
from html import unescape

import sqlalchemy as sa

from tests.conftest import login
from tests.mailing.sending import send_message
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.membership.models import Membership, MembershipEvent, Person, Status


def at(membership, days_ago, to, from_=None, hours=0):
    """A history row `days_ago` days (and `hours` hours) ago."""
    db.session.add(MembershipEvent(membership_id=membership.id, actor_label="test", from_status=from_, to_status=to,
                                   created_at=utcnow() - timedelta(days=days_ago, hours=hours)))


def row_of(page, name):
    """The cells of the row whose header is `name`, as text."""
    row = re.search(r"<tr>\s*<th scope=\"row\"[^>]*>(?:<a[^>]*>)?" + re.escape(name) + r".*?</tr>", page, re.S).group(0)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(cell))).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def test_a_contact_sees_each_of_their_groups_with_members_waiting_requests_joins_and_leaves(client, make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    make.group(slug="youth-organizing", name="Youth Organizing")
    for _ in range(3):
        make.member(group)
    joined_late = make.member(group)
    at(joined_late, 40, Status.ACTIVE, Status.PENDING)  # before the last 30 days: not counted
    old = make.member(group, status="pending")
    old.status_changed_at = utcnow() - timedelta(days=6)
    make.member(group, status="pending")
    gone = make.member(group, status="left")
    at(gone, 2, Status.LEFT, Status.ACTIVE)
    db.session.commit()
    login(client, "dalia@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Youth Organizing" not in page
    # 4 active; 2 waiting; 4 joined (each factory member has a row "to active" today) and 1 left in 30 days.
    cells = row_of(page, "Defensive Support")
    assert cells[1:5] == ["4", "2 waiting the oldest waiting 6 days (since " + cells[2].split("since ")[1], "4", "1"], cells
    assert (utcnow() - timedelta(days=6)).strftime("%Y") in cells[2]


def test_the_figures_are_kept_until_a_request_is_decided_then_read_again(client, make, count_queries):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    make.member(group)
    waiting = make.member(group, status="pending")
    db.session.commit()
    login(client, "dalia@example.org")
    first = count_queries(lambda: client.get("/dashboard").get_data())
    again = count_queries(lambda: client.get("/dashboard").get_data())
    assert again < first  # the figures came from the cache
    assert row_of(client.get("/dashboard").get_data(as_text=True), "Defensive Support")[1] == "1"
    client.post("/review/decide", data={"ids": [waiting.id], "approve": "x", "reason": "", "next": "/review"})
    cells = row_of(client.get("/dashboard").get_data(as_text=True), "Defensive Support")
    assert cells[1:3] == ["2", "None"]


def test_staff_see_every_group(client, make):
    make.user(email="staff@example.org", role="staff")
    make.group()
    make.group(slug="youth-organizing", name="Youth Organizing")
    login(client, "staff@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    assert row_of(page, "Defensive Support")[1] == "0" and row_of(page, "Youth Organizing")[1] == "0"


def images(page):
    """[(alt, svg text)] of the page's chart images."""
    found = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', page)
    return [(unescape(alt), base64.b64decode(data).decode()) for data, alt in found]


def test_three_charts_are_svg_images_with_a_text_alternative_and_their_numbers_in_a_table(client, make, app):
    make.user(email="staff@example.org", role="staff")
    group = make.group()
    members = [make.member(group, status="pending") for _ in range(10)]
    # Ten requests decided this month after 1, 2, ... 10 hours: median 5 h (nearest rank), 90th percentile 9 h.
    for hours, m in enumerate(members, start=1):
        at(m, 0, Status.PENDING, Status.UNCONFIRMED, hours=hours + 1)
        at(m, 0, Status.ACTIVE if hours % 2 else Status.DECLINED, Status.PENDING, hours=1)
    db.session.commit()
    login(client, "staff@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    charts = images(page)
    assert len(charts) == 3
    assert all(svg.startswith("<svg") for _alt, svg in charts)
    assert "<script" not in page.lower()
    # The month of the decisions (an hour ago) in the coalition's zone, as the chart counts them.
    decided = (utcnow() - timedelta(hours=1)).replace(tzinfo=timezone.utc)
    month = decided.astimezone(ZoneInfo(app.config["TIME_ZONE"])).strftime("%Y-%m")
    assert f"In {month}, 10 requests were decided: half within 5.0 hours, nine in ten within 9.0 hours." in charts[1][0]
    assert re.search(rf'<th scope="row"[^>]*>{month}</th><td[^>]*>10</td><td[^>]*>5.0</td><td[^>]*>9.0</td>', page)
    assert "Active members at the end of each month" in charts[0][0] and "Defensive Support from" in charts[0][0]
    assert page.count("<details>") == 3


def test_a_decision_late_on_a_month_s_last_evening_counts_in_that_month_in_the_coalition_s_zone(client, make, app):
    make.user(email="staff@example.org", role="staff")
    group = make.group()
    member = make.member(group, status="pending")
    zone = ZoneInfo(app.config["TIME_ZONE"])
    this_month = utcnow().astimezone(zone).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # 23:30 on the last day of last month where the coalition is: already this month in UTC, west of Greenwich.
    decided = this_month - timedelta(minutes=30)
    for created_at, from_, to in ((decided - timedelta(hours=3), Status.UNCONFIRMED, Status.PENDING),
                                  (decided, Status.PENDING, Status.ACTIVE)):
        db.session.add(MembershipEvent(membership_id=member.id, actor_label="test", from_status=from_, to_status=to,
                                       created_at=created_at.astimezone(timezone.utc)))
    db.session.commit()
    login(client, "staff@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    last_month = decided.strftime("%Y-%m")
    assert re.search(rf'<th scope="row"[^>]*>{last_month}</th><td[^>]*>1</td><td[^>]*>3.0</td>', page)


def test_members_over_time_counts_back_from_today_through_the_history(client, make):
    make.user(email="staff@example.org", role="staff")
    group = make.group()
    a, b = make.member(group), make.member(group)
    for m in (a, b):
        db.session.execute(sa.delete(MembershipEvent).where(MembershipEvent.membership_id == m.id))
    at(a, 0, Status.ACTIVE, Status.PENDING)  # joined this month: the month before had one member fewer
    db.session.commit()
    login(client, "staff@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Defensive Support from 1 to 2" in images(page)[0][0]


def test_delivery_outcomes_of_the_last_messages(client, make, deliver, mailbox):
    staff = make.user(email="staff@example.org", role="staff")
    group = make.group(contacts=[staff])
    make.member(group)
    make.member(group)
    login(client, "staff@example.org")
    send_message(client, {"groups": [group.id], "subject": "Hill visit", "body": "Hi"})
    deliver()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Sent: 2" in images(page)[2][0]
    assert re.search(r'<th scope="row"[^>]*>Hill visit</th><td data-label="Sent">2</td>', page)


def add_memberships(group_ids, count):
    """`count` people and memberships spread over the groups, with a history row each, by INSERT ... SELECT."""
    numbers = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) ")
    start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Person.id), 0)))
    now = utcnow()
    db.session.execute(sa.text(numbers + "INSERT INTO person (id, name, email, language, created_at) "
                                         "SELECT :start + i, 'Bulk ' || i, 'bulk' || (:start + i) || '@example.org', "
                                         "'en', :now FROM n"), {"count": count, "start": start, "now": now})
    statuses = ["active", "active", "active", "pending", "left", "declined"]
    db.session.execute(sa.text(
        numbers + "INSERT INTO membership (person_id, group_id, status, role_title, note, confirm_nonce, "
        "decision_reason, requested_at, joined_at, status_changed_at) "
        "SELECT :start + i, CASE i % 3 WHEN 0 THEN :g0 WHEN 1 THEN :g1 ELSE :g2 END, "
        "CASE i % 6 " + " ".join(f"WHEN {k} THEN '{s}'" for k, s in enumerate(statuses)) + " END, "
        "'', '', '', '', :now, :now, :now FROM n"),
        {"count": count, "start": start, "now": now, "g0": group_ids[0], "g1": group_ids[1], "g2": group_ids[2]})
    db.session.execute(sa.text(
        "INSERT INTO membership_event (membership_id, created_at, actor_label, from_status, to_status, reason) "
        "SELECT m.id, :now, 'test', 'pending', m.status, '' FROM membership m JOIN person p ON p.id = m.person_id "
        "WHERE p.id > :start"), {"start": start, "now": now - timedelta(days=40)})
    db.session.commit()


def test_the_dashboard_costs_the_same_queries_at_100000_memberships(client, make, count_queries):
    make.user(email="staff@example.org", role="staff")
    groups = [make.group(), make.group(slug="youth-organizing", name="Youth Organizing"),
              make.group(slug="narrative", name="Narrative-Based Advocacy")]
    login(client, "staff@example.org")
    add_memberships([g.id for g in groups], 30)
    few = count_queries(lambda: client.get("/dashboard").get_data())
    add_memberships([g.id for g in groups], 100_000)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 100_030
    many = count_queries(lambda: client.get("/dashboard").get_data())
    assert many == few
    page = client.get("/dashboard").get_data(as_text=True)
    # A third of the bulk memberships are in each group, half of those active.
    assert row_of(page, "Defensive Support")[1:2] == [str((100_000 + 30) // 3 // 2)]


def test_a_chart_is_drawn_once_for_the_same_figures():
    from webapp.dashboard import charts

    first = charts.members_over_time(["2026-01", "2026-02"], {"Defensive Support": [3, 4]})
    assert charts.members_over_time(["2026-01", "2026-02"], {"Defensive Support": [3, 4]}) is first
    other = charts.members_over_time(["2026-01", "2026-02"], {"Defensive Support": [3, 5]})
    assert other != first and other.startswith("data:image/svg+xml;base64,")
