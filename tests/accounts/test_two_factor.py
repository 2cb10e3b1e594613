"""Two-factor sign-in: an authenticator app's codes (TOTP) after the password, and ten recovery codes."""
import re

import pyotp
import pytest
import sqlalchemy as sa

from tests.accounts.devices import Device
from webapp.accounts import sessions, two_factor
from webapp.accounts.models import RecoveryCode
from webapp.accounts.services import by_email
from webapp.extensions import db

GENERIC = "Those sign-in details are not right."


class Clock:
    """The authenticator's clock, moved by the test: each code works once, so each step needs its own."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now

    def code(self, secret):
        self.now += 30
        return pyotp.TOTP(secret).at(self.now)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(two_factor, "clock", clock)
    return clock


def _set_up(browser, clock):
    page = browser.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert "otpauth://totp/" in page and f"secret={secret}" in page
    done = browser.post("/account/two-factor", data={"code": clock.code(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.get_data(as_text=True))
    return secret, codes


@pytest.fixture
def dalia(make, app, clock):
    make.user(email="dalia@example.org")
    browser = Device(app)
    browser.login("dalia@example.org")
    secret, codes = _set_up(browser, clock)
    browser.post("/logout")
    return {"secret": secret, "codes": codes, "browser": Device(app)}


def test_setting_up_shows_a_key_wants_a_code_and_gives_ten_recovery_codes_once(make, app, clock):
    make.user(email="dalia@example.org")
    browser = Device(app)
    browser.login("dalia@example.org")
    account = browser.get("/account").get_data(as_text=True)
    assert "Set up two-factor sign-in" in account
    page = browser.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    wrong = browser.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right." in wrong.get_data(as_text=True)
    assert not by_email("dalia@example.org").two_factor
    done = browser.post("/account/two-factor", data={"code": clock.code(secret)}).get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done)
    assert len(set(codes)) == 10 and "they are not shown again" in done
    db.session.expire_all()
    assert by_email("dalia@example.org").totp_secret == secret
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(code.replace("-", "") in " ".join(stored) for code in codes)
    assert "You have 10 recovery codes left." in browser.get("/account").get_data(as_text=True)
    assert not re.search(r"[0-9a-f]{5}-[0-9a-f]{5}", browser.get("/account/two-factor").get_data(as_text=True))


def test_login_asks_for_a_code_after_the_password_with_one_generic_message(dalia, clock):
    browser = dalia["browser"]
    wrong_password = browser.post("/login", data={"email": "dalia@example.org", "password": "not it"})
    assert wrong_password.status_code == 400 and GENERIC in wrong_password.get_data(as_text=True)
    step = browser.post("/login?next=/review", data={"email": "dalia@example.org",
                                                     "password": "correct horse battery"})
    assert step.location == "/login/code"
    assert not browser.signed_in()  # a password alone signs nobody in
    wrong_code = browser.post("/login/code", data={"code": "123456"})
    assert wrong_code.status_code == 400 and GENERIC in wrong_code.get_data(as_text=True)
    right = browser.post("/login/code", data={"code": clock.code(dalia["secret"])})
    assert right.location == "/review"
    assert browser.signed_in()


def test_a_code_works_once(dalia, clock):
    browser = dalia["browser"]
    code = clock.code(dalia["secret"])
    browser.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery"})
    assert browser.post("/login/code", data={"code": code}).status_code == 302
    browser.post("/logout")
    browser.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery"})
    assert browser.post("/login/code", data={"code": code}).status_code == 400


def test_a_recovery_code_works_once_in_place_of_the_app(dalia):
    browser = dalia["browser"]
    code = dalia["codes"][0]
    browser.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery"})
    assert browser.post("/login/code", data={"code": code.upper()}).status_code == 302
    assert "You have 9 recovery codes left." in browser.get("/account").get_data(as_text=True)
    browser.post("/logout")
    browser.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery"})
    assert browser.post("/login/code", data={"code": code}).status_code == 400


def test_the_code_step_needs_the_password_first_and_does_not_wait_forever(dalia, clock):
    browser = dalia["browser"]
    assert browser.get("/login/code").location == "/login"
    assert browser.post("/login/code", data={"code": clock.code(dalia["secret"])}).location == "/login"
    browser.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery"})
    with browser.session_transaction() as session:
        session[sessions.PENDING] = dict(session[sessions.PENDING], at=sessions.now() - 301)
    assert browser.post("/login/code", data={"code": clock.code(dalia["secret"])}).location == "/login"
    assert not browser.signed_in()


def test_entering_the_password_again_wants_the_code_too(dalia, clock):
    browser = dalia["browser"]
    browser.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery"})
    browser.post("/login/code", data={"code": clock.code(dalia["secret"])})
    page = browser.get("/account/confirm").get_data(as_text=True)
    assert "Code from your authenticator app" in page
    assert browser.post("/account/confirm", data={"password": "correct horse battery"}).status_code == 400
    assert browser.post("/account/confirm", data={"password": "correct horse battery",
                                                  "code": clock.code(dalia["secret"])}).status_code == 302


def test_turning_it_off_wants_a_code(dalia, clock):
    browser = dalia["browser"]
    browser.post("/login", data={"email": "dalia@example.org", "password": "correct horse battery"})
    browser.post("/login/code", data={"code": clock.code(dalia["secret"])})
    assert browser.post("/account/two-factor", data={"code": "000000"}).status_code == 400
    done = browser.post("/account/two-factor", data={"code": clock.code(dalia["secret"])}, follow_redirects=True)
    assert "Two-factor sign-in is off." in done.get_data(as_text=True)
    db.session.expire_all()
    assert not by_email("dalia@example.org").two_factor
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    browser.post("/logout")
    assert browser.post("/login", data={"email": "dalia@example.org",
                                        "password": "correct horse battery"}).location == "/dashboard"


class TestRequiredForEveryone:
    @pytest.fixture
    def config_overrides(self):
        return {"REQUIRE_TWO_FACTOR": True}

    def test_an_account_without_it_is_sent_to_set_it_up_before_anything_else(self, make, app, clock):
        make.user(email="dalia@example.org")
        browser = Device(app)
        browser.login("dalia@example.org")
        for page in ("/dashboard", "/review", "/account/password", "/messages/"):
            response = browser.get(page)
            assert response.status_code == 302 and response.location == "/account/two-factor", page
        page = browser.get("/account/two-factor", follow_redirects=True).get_data(as_text=True)
        assert "Set up two-factor sign-in" in page
        secret, codes = _set_up(browser, clock)
        assert len(codes) == 10
        assert browser.get("/dashboard").status_code == 200
        on = browser.get("/account/two-factor").get_data(as_text=True)
        assert "cannot be turned off" in on
        assert browser.post("/account/two-factor", data={"code": clock.code(secret)}).status_code == 400
        assert by_email("dalia@example.org").two_factor


def test_one_code_sent_by_two_requests_at_once_is_used_by_one_only(make, monkeypatch):
    """Both requests read the account before either wrote: the second to write finds the code used."""
    from sqlalchemy.orm.attributes import set_committed_value

    monkeypatch.setattr(two_factor, "clock", lambda: 1_800_000_000.0)
    user = make.user(email="dalia@example.org")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    code = pyotp.TOTP(user.totp_secret).at(1_800_000_000)
    assert two_factor.check(user, code)
    set_committed_value(user, "totp_last_step", 0)  # what the other request had read
    assert not two_factor.check(user, code)
    assert db.session.scalar(sa.select(type(user).totp_last_step).where(type(user).id == user.id)) == 1_800_000_000 // 30
