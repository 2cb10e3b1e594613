"""Sessions end when they should: on the server, not only in the browser that logs out."""
import re

import pytest

from tests.accounts.devices import Device
from webapp.accounts import sessions
from webapp.accounts.services import by_email, set_active


@pytest.fixture
def device(app):
    return lambda: Device(app)


def test_a_copy_of_the_cookie_taken_before_logout_does_not_work_after(device, make):
    make.user(email="dalia@example.org")
    browser = device()
    browser.login("dalia@example.org")
    copy = browser.cookie()
    assert Device.with_cookie(browser.app, copy).signed_in()
    browser.post("/logout")
    assert not browser.signed_in()
    response = Device.with_cookie(browser.app, copy).get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location


def test_a_password_change_ends_the_other_sessions_but_not_this_one(device, make):
    make.user(email="dalia@example.org")
    laptop, phone = device(), device()
    laptop.login("dalia@example.org")
    phone.login("dalia@example.org")
    phone.post("/account/password", data={"current": "correct horse battery", "new": "a brand new secret",
                                          "repeat": "a brand new secret"})
    assert phone.signed_in()
    assert not laptop.signed_in()


def test_sign_out_everywhere(device, make):
    make.user(email="dalia@example.org")
    laptop, phone = device(), device()
    laptop.login("dalia@example.org")
    phone.login("dalia@example.org")
    assert "Sign out everywhere" in phone.get("/account").get_data(as_text=True)
    done = phone.post("/account/sign-out-everywhere", follow_redirects=True).get_data(as_text=True)
    assert "You are signed out everywhere" in done
    assert not phone.signed_in() and not laptop.signed_in()


def test_a_deactivated_then_reactivated_accounts_old_cookie_does_not_work(device, make):
    make.user(email="dalia@example.org")
    browser = device()
    browser.login("dalia@example.org")
    copy = browser.cookie()
    dalia = by_email("dalia@example.org")
    set_active(dalia, False)
    assert not Device.with_cookie(browser.app, copy).signed_in()
    set_active(dalia, True)
    assert not Device.with_cookie(browser.app, copy).signed_in()
    browser.login("dalia@example.org")
    assert browser.signed_in()


def test_a_role_change_ends_the_accounts_sessions(device, make):
    staff_user = make.user(email="staff@example.org", role="staff")
    dalia = make.user(email="dalia@example.org", name="Dalia Contact")
    dalias, staff = device(), device()
    dalias.login("dalia@example.org")
    staff.login("staff@example.org")
    page = staff.post(f"/staff/accounts/{dalia.id}/role", data={"role": "staff"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Dalia Contact is now staff." in page
    assert not dalias.signed_in()
    dalias.login("dalia@example.org")
    assert dalias.get("/staff/accounts").status_code == 200
    own = staff.post(f"/staff/accounts/{staff_user.id}/role", data={"role": "contact"}, follow_redirects=True)
    assert "You cannot change your own role." in own.get_data(as_text=True)


def test_login_starts_a_new_session_and_csrf_token(device, make, app):
    app.config["WTF_CSRF_ENABLED"] = True
    make.user(email="dalia@example.org")
    browser = device()
    # An attacker plants a session, with its CSRF token, in the victim's browser before they log in.
    page = browser.get("/login").get_data(as_text=True)
    planted_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with browser.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    response = browser.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery",
                                            "csrf_token": planted_token})
    assert response.status_code == 302
    with browser.session_transaction() as after:
        assert "planted" not in after
    # The form token made in the planted session no longer passes; the new one does.
    stale = browser.post("/account/sign-out-everywhere", data={"csrf_token": planted_token})
    assert stale.status_code == 400
    assert browser.signed_in()
    page = browser.get("/account").get_data(as_text=True)
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert fresh != planted_token
    assert browser.post("/account/sign-out-everywhere", data={"csrf_token": fresh}).status_code == 302
    assert not browser.signed_in()


def test_the_language_chosen_before_login_is_kept(device, make):
    make.user(email="dalia@example.org")
    browser = device()
    with browser.session_transaction() as before:
        before["lang"] = "es"
    browser.login("dalia@example.org")
    with browser.session_transaction() as after:
        assert after["lang"] == "es"


@pytest.mark.parametrize("key, age", [(sessions.SEEN, 61 * 60), (sessions.STARTED, 12 * 3600 + 1)])
def test_a_session_unused_too_long_or_too_old_ends_on_the_server(device, make, key, age):
    make.user(email="dalia@example.org")
    browser = device()
    browser.login("dalia@example.org")
    with browser.session_transaction() as session:
        session[key] = sessions.now() - age
    response = browser.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location


def test_a_session_in_use_goes_on(device, make):
    make.user(email="dalia@example.org")
    browser = device()
    browser.login("dalia@example.org")
    with browser.session_transaction() as session:
        session[sessions.SEEN] = sessions.now() - 59 * 60
        session[sessions.STARTED] = sessions.now() - 11 * 3600
    assert browser.signed_in()
    with browser.session_transaction() as session:
        assert sessions.now() - session[sessions.SEEN] < 5  # the idle clock starts again


def test_the_cookie_lasts_the_session_hours_not_a_month(device, make, app):
    make.user(email="dalia@example.org")
    response = device().login("dalia@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 12 * 3600
