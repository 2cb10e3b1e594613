"""The signed-in list pages are kept for their reader until something is written: read again, they run only
the sign-in's query; every change shows at once, whoever or whatever made it; nobody gets a page kept for
someone else."""
import re

import pytest

from config import TestConfig
from webapp import create_app, signed_in_pages
from webapp.extensions import db
from webapp.membership.models import Membership

LIST_PAGES = ["/review", "/groups/defensive-support/review", "/groups/defensive-support/roster",
              "/groups/defensive-support/roster?tab=pending", "/messages/", "/dashboard"]
STAFF_PAGES = ["/staff/audit", "/staff/mail", "/staff/organizations", "/staff/people", "/staff/suppressions"]


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture(autouse=True)
def one_minute(monkeypatch):
    """The whole test in one minute of the clock: a page kept at 12:00:59 is made again at 12:01:00."""
    monkeypatch.setattr(signed_in_pages, "minute", lambda: 1)


def tokens(page):
    return set(re.findall(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page))


def signed_in(app, email):
    client = app.test_client()
    with app.app_context():  # each request in a context of its own, as in a server (one `g`, one token each)
        token = tokens(client.get("/login").get_data(as_text=True)).pop()
        response = client.post("/login", data={"email": email, "password": "correct horse battery",
                                               "csrf_token": token})
        assert response.status_code == 302
    return client


def page(client, path):
    with client.application.app_context():
        response = client.get(path)
        assert response.status_code == 200, path
        return response.get_data(as_text=True)


@pytest.fixture
def coalition(make):
    contact = make.user(name="Dalia Contact", email="dalia@example.org")
    other = make.user(name="Omar Contact", email="omar@example.org")
    make.user(name="Sam Staff", email="staff@example.org", role="staff")
    group = make.group(contacts=[contact])
    other_group = make.group(slug="policy", name="Policy", contacts=[other])
    make.member(group, name="Ana Active", email="ana@example.org")
    make.member(group, name="Pablo Pending", email="pablo@example.org", status="pending")
    make.member(other_group, name="Olga Otherside", email="olga@example.org", status="pending")
    return group


@pytest.mark.parametrize("path", LIST_PAGES)
def test_a_contacts_list_page_read_again_runs_only_the_sign_in_query(app, coalition, count_queries, path):
    contact = signed_in(app, "dalia@example.org")
    first = page(contact, path)
    kept = {}
    queries = count_queries(lambda: kept.setdefault("page", page(contact, path)))
    assert queries == 1  # the account, read to check the session
    assert "\ue000" not in kept["page"]
    assert _without_tokens(kept["page"]) == _without_tokens(first)


def _without_tokens(page):
    for token in tokens(page):
        page = page.replace(token, "")
    return page


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_staff_list_page_read_again_runs_only_the_sign_in_query(app, coalition, count_queries, path):
    staff = signed_in(app, "staff@example.org")
    page(staff, path)
    assert count_queries(lambda: page(staff, path)) == 1


def test_a_decision_shows_at_once_with_its_message_and_the_readers_own_token(app, coalition):
    contact = signed_in(app, "dalia@example.org")
    page(contact, "/review")
    review = page(contact, "/review")  # kept
    assert "Pablo Pending" in review and "Olga Otherside" not in review
    assert "Pablo Pending" not in page(contact, "/groups/defensive-support/roster")
    pablo = db.session.query(Membership).filter(Membership.status == "pending",
                                                Membership.group_id == coalition.id).one()
    with app.app_context():
        response = contact.post(f"/memberships/{pablo.id}/decide",
                                data={"approve": "1", "reason": "", "csrf_token": tokens(review).pop()})
        assert response.status_code == 302
    after = page(contact, "/review")
    assert "Pablo Pending is now a member." in after  # the message, shown once
    assert "Pablo Pending" not in page(contact, "/review").replace("Pablo Pending is now a member.", "")
    assert "Pablo Pending" in page(contact, "/groups/defensive-support/roster")


def test_nobody_gets_a_page_kept_for_someone_else(app, coalition):
    dalia, omar, staff = (signed_in(app, f"{name}@example.org") for name in ("dalia", "omar", "staff"))
    for _ in range(2):
        assert "Pablo Pending" in page(dalia, "/review") and "Olga Otherside" not in page(dalia, "/review")
        assert "Olga Otherside" in page(omar, "/review") and "Pablo Pending" not in page(omar, "/review")
        everyone = page(staff, "/review")
        assert "Olga Otherside" in everyone and "Pablo Pending" in everyone


def test_each_language_is_kept_apart(app, coalition):
    contact = signed_in(app, "dalia@example.org")
    assert 'lang="en"' in page(contact, "/dashboard")
    with app.app_context():
        english = contact.get("/dashboard").get_data(as_text=True)
        assert contact.post("/language", data={"lang": "es", "next": "/dashboard",
                                               "csrf_token": tokens(english).pop()}).status_code == 302
    assert 'lang="es"' in page(contact, "/dashboard")


def test_a_write_by_another_process_shows_at_once(app, coalition, database_url, smtp_server):
    """A worker, a command or another web process: its own app, its own cache, the same database and host."""
    contact = signed_in(app, "dalia@example.org")
    page(contact, "/groups/defensive-support/roster")
    assert "Ana Active" in page(contact, "/groups/defensive-support/roster")
    other = create_app(type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                      "MAIL_PORT": smtp_server.port}))
    with other.app_context():
        from webapp.membership.models import Person
        ana = db.session.query(Person).filter_by(email="ana@example.org").one()
        ana.name = "Ana Renamed"
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert "Ana Renamed" in page(contact, "/groups/defensive-support/roster")


def test_a_kept_page_is_made_again_the_next_minute(app, coalition, count_queries, monkeypatch):
    contact = signed_in(app, "dalia@example.org")
    page(contact, "/review")
    assert count_queries(lambda: page(contact, "/review")) == 1
    monkeypatch.setattr(signed_in_pages, "minute", lambda: 2)
    assert count_queries(lambda: page(contact, "/review")) > 1
