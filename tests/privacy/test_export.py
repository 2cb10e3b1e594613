"""Staff find a person and read, or download, everything held about them."""
import json
import re

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.privacy.conftest import ADDRESS, BLOCK_NOTE, NAME, NOTE, REASON, ROLE, page, person_id
from webapp.audit.models import AuditEvent
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing import services as mailing
from webapp.membership.models import Person


def rows(text, name):
    found = text[text.index(f'<table class="{name}">'):]
    return re.findall(r"<tr>.*?</tr>", found[:found.index("</table>")], flags=re.S)[1:]


def test_staff_find_a_person_by_address_and_open_their_page(rosa, client):
    login(client, "staff@example.org")
    text = page(client, "/staff/people?address=ROSA.Q")
    assert re.search(r'<label for="address">Address</label>', text)
    assert "1 person" in text
    assert f'<a href="/staff/people/{person_id()}">{NAME}</a>' in text
    assert "ana@example.com" not in text
    everyone = page(client, "/staff/people")
    assert "2 people" in everyone and "ana@example.com" in everyone
    assert "No one matches." in page(client, "/staff/people?address=nobody%25")


def test_the_people_list_is_paged(client, make):
    make.user(email="staff@example.org", role="staff")
    db.session.execute(sa.insert(Person), [{"name": f"P {i}", "email": f"p{i:03d}@example.org", "language": "en",
                                            "created_at": utcnow()} for i in range(150)])
    db.session.commit()
    login(client, "staff@example.org")
    first = page(client, "/staff/people")
    assert "150 people" in first and "Page 1 of 2" in first and first.count('<td class="address">') == 100
    assert "p149@example.org" in first  # newest first
    assert page(client, "/staff/people?page=2").count('<td class="address">') == 50
    assert page(client, "/staff/people?address=p00&page=1").count('<td class="address">') == 10


@pytest.mark.parametrize("path", ["/staff/people?page=abc", "/staff/people?address=" + "x" * 300])
def test_a_search_that_makes_no_sense_is_a_400(client, make, path):
    make.user(email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    assert client.get(path).status_code == 400


def test_the_page_shows_everything_held_about_the_person(rosa, client):
    login(client, "staff@example.org")
    text = page(client, f"/staff/people/{person_id()}")
    assert f"<h1>{NAME}</h1>" in text and ADDRESS in text and ">English</dd>" in text
    ds, youth = text.index("<h3 id=\"membership-"), text.index(">Youth Organizing</h3>")
    assert ">Defensive Support</h3>" in text
    for seen in ("Active", "Oasis Legal", ROLE, NOTE, "Dalia Contact", REASON):
        assert seen in text[ds:]
    history = rows(text[ds:], "history")
    assert [re.findall(r'class="status status-(\w+)"', row) for row in history][:3] == [
        ["unconfirmed"], ["unconfirmed", "pending"], ["pending", "active"]]
    assert "The applicant" in history[0] and REASON in history[2]
    assert rows(text[youth:], "history")[-1].count("status-active") == 1

    mail = rows(text, "deliveries")
    subjects = [re.search(r"<td>([^<]*)</td>\s*<td>(Notice|Roster message)", row).groups() for row in mail]
    assert ("Confirm your request to join Defensive Support", "Notice") in subjects
    assert ("Welcome to Defensive Support", "Notice") in subjects
    assert ("Hill visit on Tuesday", "Roster message") in subjects
    assert all("status-sent" in row for row in mail) and "250" in mail[0]

    bounced = rows(text, "bounces")
    assert len(bounced) == 1 and "Hard" in bounced[0] and "550 5.1.1" in bounced[0]
    assert f"blocked by staff: {BLOCK_NOTE}" in text and "Bounce score 1, last counted" in text

    audit = rows(text, "audit")
    actions = [re.search(r"<code>([\w.]+)</code>", row).group(1) for row in audit]
    assert actions.count("membership.confirm") == 2 and "membership.approve" in actions
    assert "block.add" in actions and "delivery.resend" in actions
    assert any(ADDRESS in row and "127.0.0.1" in row for row in audit if "membership.confirm" in row)
    assert "message.send" not in actions  # about a group, not about her
    assert 'href="/staff/people/%d.json"' % person_id() in text


def test_the_download_is_the_same_as_the_page_as_json(rosa, client):
    login(client, "staff@example.org")
    response = client.get(f"/staff/people/{person_id()}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="person-{person_id()}.json"'
    held = json.loads(response.get_data(as_text=True))
    assert held["person"]["name"] == NAME and held["person"]["email"] == ADDRESS
    assert held["person"]["language"] == "en"
    assert [m["group"] for m in held["memberships"]] == ["Defensive Support", "Youth Organizing"]
    first = held["memberships"][0]
    assert (first["status"], first["note"], first["role_title"], first["organization"], first["decision_reason"]) \
        == ("active", NOTE, ROLE, "Oasis Legal", REASON)
    assert [(e["from"], e["to"]) for e in first["events"]] == [
        (None, "unconfirmed"), ("unconfirmed", "pending"), ("pending", "active")]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d.*", first["requested_at"])
    assert {d["subject"] for d in held["deliveries"]} >= {"Hill visit on Tuesday", "Welcome to Defensive Support"}
    assert all(d["status"] == "sent" for d in held["deliveries"])
    (bounce,) = held["bounces"]
    assert bounce["kind"] == "hard" and ADDRESS in bounce["message"]
    assert held["bounce_score"]["score"] == 1.0
    assert held["suppression"]["kind"] == "staff" and held["blocks"][0]["note"] == BLOCK_NOTE
    assert {a["action"] for a in held["audit"]} >= {"membership.confirm", "membership.approve", "block.add"}
    db.session.expire_all()
    last = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.action, last.target, last.actor_label) == ("privacy.export", f"person:{person_id()}",
                                                            "staff@example.org")


def test_an_unknown_person_is_a_404(client, make):
    make.user(email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    for path in ("/staff/people/999999", "/staff/people/999999.json"):
        assert client.get(path).status_code == 404
    assert client.post("/staff/people/999999/erase", data={"understood": "y"}).status_code == 404


def test_the_page_costs_the_same_queries_whatever_is_held(rosa, client, count_queries, make, deliver):
    login(client, "staff@example.org")
    path = f"/staff/people/{person_id()}"
    few = count_queries(lambda: page(client, path))
    for i in range(4):
        group = make.group(slug=f"group-{i}", name=f"Group {i}")
        make.member(group, email=ADDRESS)
        with client.application.test_request_context():
            mailing.send(rosa["staff"], f"News {i}", "Body", [group])
    deliver()
    db.session.add_all([AuditEvent(action="membership.leave", actor_label=ADDRESS) for _ in range(5)])
    db.session.commit()
    many = count_queries(lambda: page(client, path))
    assert few == many, (few, many)
