"""Sensitive actions want the password entered within the last hour: a stolen, idle session cannot do them."""
import pytest
import sqlalchemy as sa

from tests.accounts.devices import Device
from webapp.accounts import sessions
from webapp.extensions import db
from webapp.mailing import compose
from webapp.outbox.models import Delivery


@pytest.fixture
def world(make, app):
    staff = make.user(email="staff@example.org", role="staff", name="Sam Staff")
    dalia = make.user(email="dalia@example.org", name="Dalia Contact")
    group = make.group(contacts=[dalia])
    member = make.member(group, email="rosa@example.org", name="Rosa")
    draft = compose.save(staff, None, subject="Hello", body="Hi all", groups=[group], reply_to=staff.email,
                         scheduled_for=None)
    browser = Device(app)
    browser.login("staff@example.org")
    with browser.session_transaction() as session:
        session[sessions.CONFIRMED] = sessions.now() - 61 * 60
    return {"draft": draft, "staff": staff, "dalia": dalia, "group": group, "member": member, "browser": browser}


def _sensitive(world):
    group, member, dalia = world["group"], world["member"], world["dalia"]
    return [
        ("post", f"/messages/{world['draft'].id}/confirm", {}),
        ("get", f"/messages/{world['draft'].id}/confirm", None),
        ("get", "/groups/defensive-support/roster.csv", None),
        ("post", "/groups/defensive-support/roster/selected", {"selected": [member.id], "export": "y"}),
        ("post", "/staff/groups", {"group_id": group.id, f"g{group.id}-contacts": [world["staff"].id]}),
        ("post", f"/staff/accounts/{dalia.id}/role", {"role": "staff"}),
        ("post", f"/staff/accounts/{dalia.id}/active", {"active": "0"}),
        ("post", "/staff/accounts", {"name": "New", "email": "new@example.org", "role": "contact"}),
        ("get", f"/staff/people/{member.person.id}", None),
        ("get", f"/staff/people/{member.person.id}.json", None),
        ("post", f"/staff/people/{member.person.id}/erase", {"confirm": "y"}),
    ]


def test_each_sensitive_action_asks_for_the_password_again_and_does_nothing(world):
    browser = world["browser"]
    for method, path, data in _sensitive(world):
        response = getattr(browser, method)(path, data=data, headers={"Referer": "http://localhost/dashboard"})
        assert response.status_code == 302, path
        assert response.location.startswith("/account/confirm?next="), (path, response.location)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0
    assert world["dalia"].is_staff is False and world["dalia"].active
    assert world["member"].person.name == "Rosa"
    # Pages that only read are not sensitive.
    assert browser.get("/groups/defensive-support/roster").status_code == 200
    assert browser.get("/staff/accounts").status_code == 200


def test_entering_the_password_again_brings_the_user_back(world):
    browser = world["browser"]
    response = browser.get("/groups/defensive-support/roster.csv?tab=active")
    assert response.location == "/account/confirm?next=/groups/defensive-support/roster.csv?tab%3Dactive"
    page = browser.get(response.location).get_data(as_text=True)
    assert "Enter your password again" in page
    wrong = browser.post(response.location, data={"password": "not my password"})
    assert wrong.status_code == 400 and "Those sign-in details are not right." in wrong.get_data(as_text=True)
    right = browser.post(response.location, data={"password": "correct horse battery"})
    assert right.location == "/groups/defensive-support/roster.csv?tab=active"
    csv = browser.get(right.location)
    assert csv.status_code == 200 and "rosa@example.org" in csv.get_data(as_text=True)


def test_a_form_comes_back_to_the_page_it_was_on(world):
    browser = world["browser"]
    dalia = world["dalia"]
    response = browser.post(f"/staff/accounts/{dalia.id}/role", data={"role": "staff"},
                            headers={"Referer": "http://localhost/staff/accounts"})
    assert response.location == "/account/confirm?next=/staff/accounts"
    foreign = browser.post(f"/staff/accounts/{dalia.id}/role", data={"role": "staff"},
                           headers={"Referer": "https://evil.example.com/staff/accounts"})
    assert foreign.location == "/account/confirm"


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com"])
def test_coming_back_never_leaves_the_site(world, target):
    browser = world["browser"]
    response = browser.post("/account/confirm", query_string={"next": target},
                            data={"password": "correct horse battery"})
    assert response.location == "/dashboard"


def test_a_fresh_sign_in_is_recent(make, app):
    make.user(email="staff@example.org", role="staff")
    group = make.group()
    make.member(group, email="rosa@example.org")
    browser = Device(app)
    browser.login("staff@example.org")
    assert browser.get("/groups/defensive-support/roster.csv").status_code == 200
