"""The join POST and the list pages run a fixed number of SQL statements, whatever the data (issue 11)."""
import re

import pytest
import sqlalchemy as sa

from tests.conftest import login, recorded_statements
from webapp.extensions import db

JOIN = {"name": "Ana Joiner", "consent": "y", "organization": "Casa Esperanza", "note": "Hello."}


@pytest.fixture
def config_overrides():
    # The pages' own statements, each made afresh: a page read again comes from the cache with one statement
    # (tests/scale/test_signed_in_pages.py).
    return {"KEEP_SIGNED_IN_PAGES": False}


def _table(line):
    verb = line.split()[0]
    pattern = {"INSERT": r"\bINTO (\w+)", "UPDATE": r"^\s*UPDATE (\w+)"}.get(verb, r"\bFROM (\w+)")
    table = re.search(pattern, line[len(verb):] + " FROM ?")
    return f"{verb} {table.group(1) if table else '?'}"


def statements(app, fn):
    with recorded_statements() as seen, app.app_context():
        fn()
    return [statement.split()[0].upper() + " " + " ".join(statement.split())[:3000] for statement, _ in seen]


def test_a_join_post_for_a_new_address_runs_few_statements_and_queues_the_email(app, client, make, mailbox,
                                                                                deliver):
    make.group()
    client.post("/groups/defensive-support", data={**JOIN, "email": "first@example.org"})  # the organization exists
    responses = []
    run = statements(app, lambda: responses.append(client.post("/groups/defensive-support",
                                                               data={**JOIN, "email": "ana@example.org"})))
    assert responses[0].status_code == 302 and responses[0].location.endswith("/groups/defensive-support/requested")
    # The group, the blocks; the person and the membership as INSERT ... ON CONFLICT DO NOTHING then SELECT (the
    # same statements whatever the address's state); the request's own details; its history row, the email and
    # its delivery, in the one transaction.
    assert [_table(line) for line in run] == [
        "SELECT working_group", "SELECT block", "INSERT person", "SELECT person", "INSERT membership",
        "SELECT membership", "UPDATE membership", "INSERT membership_event", "INSERT email", "INSERT delivery"], "\n".join(run)
    deliver()
    confirmation = mailbox.to("ana@example.org")
    assert len(confirmation) == 1 and "/confirm/" in confirmation[0].text()


def test_asking_again_while_unconfirmed_sends_nothing_new_within_the_resend_time(app, client, make, mailbox, deliver):
    make.group()
    for _ in range(2):
        assert client.post("/groups/defensive-support", data={**JOIN, "email": "ana@example.org"}).status_code == 302
    deliver()
    assert len(mailbox.to("ana@example.org")) == 1


# Each list page's statements, fixed: the session's user, the menu's count of waiting requests, then the page's own.
LIST_PAGES = {
    "/review": 6,
    "/groups/defensive-support/review": 6,
    "/groups/defensive-support/roster": 8,  # 7 while no membership changes: the tabs' counts are kept
    "/messages/": 7,
    "/staff/audit": 13,  # the filters' choices, and one query per kind of thing the rows name
}


def test_the_list_pages_run_a_fixed_number_of_statements(app, client, make, count_queries):
    from webapp.mailing import services as mailing

    staff = make.user(email="staff@example.org", role="staff")
    group = make.group(contacts=[make.user(email="dalia@example.org")])
    login(client, "staff@example.org")
    counted = {}
    for size in (3, 40):
        for k in range(size):
            make.member(group, status=("active", "pending")[k % 2], organization=f"Org {k % 4}")
        with app.test_request_context():
            mailing.send(staff, f"News {size}", "Hello.", [group])
        for page in LIST_PAGES:
            counted.setdefault(page, []).append(count_queries(lambda: client.get(page).get_data()))
        counted.setdefault("roster again", []).append(
            count_queries(lambda: client.get("/groups/defensive-support/roster").get_data()))
    assert counted == {**{page: [n, n] for page, n in LIST_PAGES.items()}, "roster again": [7, 7]}


def test_kept_tab_counts_follow_every_change(app, client, make):
    """Approve, remove, an import's rows and a purge's deletes each move the counts on the next view."""
    from webapp.membership import services
    from webapp.membership.models import Membership, Person, Status

    staff = make.user(email="staff@example.org", role="staff")
    group = make.group()
    pending = make.member(group, status="pending")
    make.member(group, status="active")
    login(client, "staff@example.org")

    def tabs():
        page = client.get("/groups/defensive-support/roster").get_data(as_text=True)
        return {label.lower(): int(n) for label, n in re.findall(r"(Active|Pending) \((\d+)\)", page)}

    before = tabs()
    assert before["active"] == 1 and before["pending"] == 1, before
    services.approve(pending, actor=staff)
    assert tabs()["active"] == 2 and tabs()["pending"] == 0
    db.session.execute(sa.insert(Person), [{"id": 900, "name": "Imported", "email": "imported@example.org"}])
    db.session.execute(sa.insert(Membership), [{"person_id": 900, "group_id": group.id, "status": Status.ACTIVE}])
    db.session.commit()
    assert tabs()["active"] == 3
    db.session.execute(sa.delete(Membership).where(Membership.person_id == 900))  # as the purge does
    db.session.commit()
    assert tabs()["active"] == 2
