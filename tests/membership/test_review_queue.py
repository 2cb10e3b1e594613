"""The review queue: counts where contacts look, how long each request waited, pages, deciding many at once, spam."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login, membership_of, recorded_statements
from webapp.audit.models import AuditEvent
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.membership.models import Status


@pytest.fixture
def groups(make):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    rachel = make.user(name="Rachel Contact", email="rachel@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    defensive = make.group(contacts=[dalia, rachel])
    youth = make.group(slug="youth-organizing", name="Youth Organizing", contacts=[make.user(name="Alejandra")])
    return defensive, youth


def pending(make, group, name, email=None, days=0):
    membership = make.member(group, name=name, email=email, status="pending")
    membership.status_changed_at = utcnow() - timedelta(days=days, minutes=5)
    db.session.commit()
    return membership


def listed_names(page):
    return re.findall(r'<h2 id="req-\d+">([^<·]+?)(?: ·[^<]*)?</h2>', page)


def test_the_number_waiting_is_in_the_menu_on_the_dashboard_and_on_each_group(client, make, groups):
    defensive, youth = groups
    for i in range(3):
        pending(make, defensive, f"Pat {i}")
    pending(make, youth, "Yara Youth")
    make.member(defensive, name="Ana Active")
    login(client, "dalia@example.org")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r">\s*Requests \(3\)\s*</a>", dashboard)  # the header: only Dalia's groups
    assert "3 waiting" in dashboard and "Youth Organizing" not in dashboard
    client.post("/logout")
    login(client, "staff@example.org")
    dashboard = client.get("/groups").get_data(as_text=True)
    assert re.search(r">\s*Requests \(4\)\s*</a>", dashboard)
    staff_dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "3 waiting" in staff_dashboard and "1 waiting" in staff_dashboard


def test_no_requests_no_number(client, make, groups):
    login(client, "dalia@example.org")
    page = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r">\s*Requests\s*</a>", page) and "waiting" not in page


def test_each_request_says_how_long_it_has_waited(client, make, groups):
    defensive, _ = groups
    pending(make, defensive, "Olga Old", days=3)
    pending(make, defensive, "Dina Day", days=1)
    pending(make, defensive, "Nora New")
    login(client, "dalia@example.org")
    page = client.get("/groups/defensive-support/review").get_data(as_text=True)
    assert "waiting 3 days" in page and "waiting 1 day" in page and "waiting less than a day" in page
    assert listed_names(page) == ["Olga Old", "Dina Day", "Nora New"]  # the longest waiting first


def test_the_queue_is_paged_25_at_a_time(client, make, groups):
    defensive, _ = groups
    for i in range(30):
        pending(make, defensive, f"Person {i:02d}", days=30 - i)
    login(client, "dalia@example.org")
    first = client.get("/review").get_data(as_text=True)
    assert len(listed_names(first)) == 25 and listed_names(first)[0] == "Person 00"
    assert "Page 1 of 2" in first and 'href="/review?page=2"' in first
    second = client.get("/review?page=2").get_data(as_text=True)
    assert listed_names(second) == [f"Person {i}" for i in range(25, 30)]
    assert listed_names(client.get("/review?page=99999999999999999999").get_data(as_text=True)) == \
        listed_names(second)  # past the end: the last page
    assert client.get("/review?page=-3").get_data(as_text=True).count("Page 1 of 2") == 1
    assert client.get("/review?page=two").status_code == 400
    assert client.get("/groups/defensive-support/review?page=two").status_code == 400


def bulk(client, ids, action, reason="", back="/review"):
    return client.post("/review/decide", data={"ids": [m.id for m in ids], action: "x", "reason": reason,
                                               "next": back}, follow_redirects=True)


def test_approve_several_at_once_each_with_history_and_email(client, make, groups, mailbox, deliver):
    defensive, _ = groups
    ana = pending(make, defensive, "Ana", "ana@example.org")
    ben = pending(make, defensive, "Ben", "ben@example.org")
    cai = pending(make, defensive, "Cai", "cai@example.org")
    login(client, "dalia@example.org")
    response = bulk(client, [ana, ben], "approve", back="/groups/defensive-support/review")
    page = response.get_data(as_text=True)
    assert "2 requests approved." in page
    assert listed_names(page) == ["Cai"]  # back on the group's queue, the decided ones gone
    for address in ("ana@example.org", "ben@example.org"):
        membership = membership_of(defensive, address)
        assert membership.status == Status.ACTIVE and membership.decided_by.email == "dalia@example.org"
        assert (membership.events[-1].from_status, membership.events[-1].to_status) == (Status.PENDING, Status.ACTIVE)
    assert membership_of(defensive, "cai@example.org").status == Status.PENDING
    deliver()
    assert [m.subject for m in mailbox.to("ana@example.org")] == ["Welcome to Defensive Support"]
    assert [m.subject for m in mailbox.to("ben@example.org")] == ["Welcome to Defensive Support"]
    assert mailbox.to("cai@example.org") == []
    assert cai.id


def test_decline_several_with_one_reason(client, make, groups, mailbox, deliver):
    defensive, _ = groups
    ana = pending(make, defensive, "Ana", "ana@example.org")
    ben = pending(make, defensive, "Ben", "ben@example.org")
    login(client, "dalia@example.org")
    assert "2 requests declined." in bulk(client, [ana, ben], "decline", "Lawyers only").get_data(as_text=True)
    deliver()
    for address in ("ana@example.org", "ben@example.org"):
        assert membership_of(defensive, address).events[-1].reason == "Lawyers only"
        (email,) = mailbox.to(address)
        assert "was not approved" in email.text() and "Lawyers only" in email.text()


def test_requests_someone_else_decided_meanwhile_are_counted_and_left_alone(client, make, groups, mailbox,
                                                                          deliver, app):
    defensive, _ = groups
    ana = pending(make, defensive, "Ana", "ana@example.org")
    ben = pending(make, defensive, "Ben", "ben@example.org")
    rachel = app.test_client()
    login(rachel, "rachel@example.org")
    rachel.post(f"/memberships/{ben.id}/decide", data={"decline": "Decline"})
    login(client, "dalia@example.org")
    page = bulk(client, [ana, ben], "approve").get_data(as_text=True)
    assert "1 request approved." in page
    assert "1 had been decided already by someone else: nothing changed for it and no email was sent." in page
    assert membership_of(defensive, "ben@example.org").status == Status.DECLINED
    deliver()
    assert [m.subject for m in mailbox.to("ben@example.org")] == ["Your request to join Defensive Support"]


def test_discarding_as_spam_declines_without_telling_the_applicant(client, make, groups, mailbox, deliver):
    defensive, _ = groups
    spam = pending(make, defensive, "Buy Now", "spam@example.com")
    more = pending(make, defensive, "Cheap Pills", "pills@example.com")
    login(client, "dalia@example.org")
    page = bulk(client, [spam, more], "spam", reason="ignored").get_data(as_text=True)
    assert "2 requests discarded as spam." in page
    membership = membership_of(defensive, "spam@example.com")
    assert membership.status == Status.DECLINED
    event = membership.events[-1]
    assert (event.to_status, event.reason, event.actor.email) == (Status.DECLINED, "discarded as spam",
                                                                 "dalia@example.org")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "membership.spam")) == 2
    history = client.get(f"/memberships/{membership.id}").get_data(as_text=True)
    assert "discarded as spam" in history
    deliver()
    assert mailbox.to("spam@example.com") == [] and mailbox.to("pills@example.com") == []


def test_one_request_discarded_as_spam_from_its_own_buttons(client, make, groups, mailbox, deliver):
    defensive, _ = groups
    spam = pending(make, defensive, "Buy Now", "spam@example.com")
    login(client, "dalia@example.org")
    page = client.post(f"/memberships/{spam.id}/decide", data={"spam": "x"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The request from Buy Now was discarded as spam." in page
    assert membership_of(defensive, "spam@example.com").status == Status.DECLINED
    deliver()
    assert mailbox.to("spam@example.com") == []


def test_nothing_selected_changes_nothing(client, make, groups):
    defensive, _ = groups
    pending(make, defensive, "Ana", "ana@example.org")
    login(client, "dalia@example.org")
    page = client.post("/review/decide", data={"approve": "x"}, follow_redirects=True).get_data(as_text=True)
    assert "Select at least one request." in page
    assert membership_of(defensive, "ana@example.org").status == Status.PENDING
    assert client.post("/review/decide", data={"ids": ["x"], "approve": "x"}).status_code == 400
    assert client.post("/review/decide", data={"ids": ["1"]}).status_code == 400  # no decision


def test_another_groups_request_among_them_is_403_and_nothing_changes(client, make, groups, mailbox, deliver):
    defensive, youth = groups
    ana = pending(make, defensive, "Ana", "ana@example.org")
    yara = pending(make, youth, "Yara", "yara@example.org")
    login(client, "dalia@example.org")
    assert client.post("/review/decide", data={"ids": [ana.id, yara.id], "approve": "x"}).status_code == 403
    assert client.post("/review/decide", data={"ids": [ana.id, 999999], "approve": "x"}).status_code == 403
    assert membership_of(defensive, "ana@example.org").status == Status.PENDING
    assert membership_of(youth, "yara@example.org").status == Status.PENDING
    deliver()
    assert mailbox.messages == []


def test_an_overlong_shared_reason_is_refused_with_the_forms_message(client, make, groups):
    defensive, _ = groups
    ana = pending(make, defensive, "Ana", "ana@example.org")
    login(client, "dalia@example.org")
    page = bulk(client, [ana], "decline", "x" * 1001).get_data(as_text=True)
    assert "The reason is too long (at most 1,000 characters)." in page
    assert membership_of(defensive, "ana@example.org").status == Status.PENDING


def test_the_review_page_has_labelled_checkboxes_and_no_script(client, make, groups):
    defensive, _ = groups
    ana = pending(make, defensive, "Ana Applicant")
    login(client, "dalia@example.org")
    page = client.get("/review").get_data(as_text=True)
    assert f'<input type="checkbox" id="select-{ana.id}" name="ids" value="{ana.id}" form="bulk">' in page
    assert f'<label for="select-{ana.id}">Select the request from Ana Applicant</label>' in page
    assert '<form id="bulk" method="post" action="/review/decide">' in page
    assert "<script" not in page


def test_the_queue_costs_the_same_queries_whatever_its_length(client, make, groups, count_queries):
    defensive, _ = groups
    login(client, "dalia@example.org")
    pending(make, defensive, "First")
    pages = ["/review", "/review?page=2", "/groups/defensive-support/review", "/dashboard"]
    few = {page: count_queries(lambda: client.get(page)) for page in pages}
    for i in range(40):
        pending(make, defensive, f"Person {i}")
        make.member(defensive)
    assert {page: count_queries(lambda: client.get(page)) for page in pages} == few


def test_the_queue_is_read_through_its_index(app, make, groups):
    """The query reads the pending rows of the groups, in order, from the index, not every membership."""
    from webapp.membership import review_queries

    defensive, youth = groups
    with recorded_statements() as statements:
        review_queries.queue([defensive, youth], 1)
    page_query = next((s, p) for s, p in statements if "LIMIT" in s.upper())
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SET enable_seqscan = off"))  # tiny tables: make the planner show its index
            plan = " ".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + page_query[0], page_query[1]))
        else:
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + page_query[0],
                                                                         page_query[1]))
    # Several groups' queue walks ix_membership_waiting (pending, in waiting order: no sort of them all).
    assert "ix_membership_review" in plan or "ix_membership_waiting" in plan, plan
