"""The public pages come from the cache for visitors, each with their own CSRF token, and change when staff
change what they show."""
import re

import pytest

from config import TestConfig
from webapp import create_app
from webapp.extensions import db

JOIN = {"name": "Ana Visitor", "email": "ana@example.org", "consent": "y"}


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True}


def login(client, email, password="correct horse battery"):
    # Each request in an app context of its own, as in a server: the fixture's would share one `g` (and one
    # CSRF token) among all the test's clients.
    with client.application.app_context():
        _login(client, email, password)


def _login(client, email, password):
    token = tokens(client.get("/login").get_data(as_text=True)).pop()
    assert client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code == 302


def tokens(page):
    return set(re.findall(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page))


def test_a_visitor_gets_the_kept_page_with_their_own_token_and_can_join(app, make, count_queries, mailbox):
    make.group(contacts=[make.user(name="Dalia Contact")])
    first, second = app.test_client(), app.test_client()
    page_one = first.get("/groups/defensive-support").get_data(as_text=True)
    kept = {}
    queries = count_queries(lambda: kept.setdefault("page", second.get("/groups/defensive-support")))
    page_two = kept["page"].get_data(as_text=True)
    assert queries == 0  # served from the cache
    assert "Dalia Contact" in page_two and "Request to join" in page_two
    # Each visitor's tokens are their own (the form's and the language switch's), and each works.
    assert len(tokens(page_one)) == 1 and len(tokens(page_two)) == 1 and tokens(page_one) != tokens(page_two)
    assert "\ue000" not in page_two
    response = second.post("/groups/defensive-support", data={**JOIN, "csrf_token": tokens(page_two).pop()})
    assert response.status_code == 302
    assert first.post("/groups/defensive-support", data={**JOIN, "email": "ben@example.org",
                                                         "csrf_token": tokens(page_two).pop()}).status_code == 400


def test_each_language_is_kept_apart(app, make):
    make.group()
    visitor = app.test_client()
    assert "Request to join" in visitor.get("/groups/defensive-support").get_data(as_text=True)
    spanish = app.test_client()
    assert 'lang="es"' in spanish.get("/groups/defensive-support?lang=es").get_data(as_text=True)
    assert 'html lang="en"' in app.test_client().get("/groups/defensive-support").get_data(as_text=True)


def test_staff_edits_show_at_once(app, make):
    make.user(email="staff@example.org", role="staff")
    make.group()
    visitor, staff = app.test_client(), app.test_client()
    for path in ("/", "/groups", "/groups/defensive-support"):
        assert "Defensive Support" in visitor.get(path).get_data(as_text=True)
    login(staff, "staff@example.org")
    with app.app_context():
        page = staff.get("/staff/groups/defensive-support/edit").get_data(as_text=True)
        data = {"name": "Defensive Support Network", "slug": "defensive-support", "summary": "s",
                "description": "d", "accomplishments": "", "join_policy": "closed", "active": "y",
                "csrf_token": tokens(page).pop()}
        assert staff.post("/staff/groups/defensive-support/edit", data=data).status_code == 302
    db.session.expire_all()  # the test's own session saw the group before; a real request starts afresh
    for path in ("/", "/groups", "/groups/defensive-support"):
        assert "Defensive Support Network" in visitor.get(path).get_data(as_text=True), path
    assert "not taking requests" in visitor.get("/groups/defensive-support").get_data(as_text=True)


def test_an_organization_listed_by_staff_appears(app, make):
    from webapp.organizations import services

    make.group()
    visitor = app.test_client()
    assert "Casa Esperanza" not in visitor.get("/organizations").get_data(as_text=True)
    organization = services.find_or_create("Casa Esperanza")
    db.session.commit()
    services.update(organization, name="Casa Esperanza", website="", location="", kind="",
                    coalition_status="member", listed=True)
    assert "Casa Esperanza" in visitor.get("/organizations").get_data(as_text=True)


def test_signed_in_people_and_waiting_messages_are_never_served_a_kept_page(app, make):
    make.user(email="staff@example.org", role="staff")
    make.group()
    app.test_client().get("/groups")  # now kept
    staff = app.test_client()
    login(staff, "staff@example.org")
    with app.app_context():
        page = staff.get("/groups").get_data(as_text=True)
        assert "Log out" in page
    with app.app_context():  # leaves "You are logged out." waiting
        assert staff.post("/logout", data={"csrf_token": tokens(page).pop()}).status_code == 302
    with app.app_context():
        assert "You are logged out." in staff.get("/groups").get_data(as_text=True)


def test_another_process_drops_its_copy_when_this_one_changes_a_group(app, make, database_url, smtp_server):
    """Two processes with their own SimpleCache, as two gunicorn workers: the stamp file tells the other."""
    from webapp.groups.models import WorkingGroup

    group = make.group()
    other = create_app(type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                      "MAIL_PORT": smtp_server.port}))
    with other.app_context():
        assert "Defensive Support summary" in other.test_client().get("/groups").get_data(as_text=True)
        db.session.remove()
    db.session.get(WorkingGroup, group.id).summary = "Rapid response, court watch."
    db.session.commit()
    with other.app_context():
        assert "Rapid response, court watch." in other.test_client().get("/groups").get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
