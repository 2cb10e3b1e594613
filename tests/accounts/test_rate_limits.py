"""Guessing is limited per client address, per account and address, and per account from anywhere;
the account's owner from another address still gets in."""
import pyotp
import pytest

from tests.accounts.devices import Device
from webapp.accounts import two_factor
from webapp.extensions import limiter

RIGHT = {"email": "dalia@example.org", "password": "correct horse battery"}
WRONG = {"email": "dalia@example.org", "password": "a wrong guess"}


@pytest.fixture
def config_overrides():
    return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "8 per minute", "ACCOUNT_ADDRESS_RATE_LIMIT": "3 per hour",
            "ACCOUNT_RATE_LIMIT": "6 per hour", "RESET_RATE_LIMIT": "4 per hour",
            "RESET_ACCOUNT_RATE_LIMIT": "2 per hour"}


@pytest.fixture
def from_address(app):
    limiter.reset()

    def browser(address):
        device = Device(app)
        device.client.environ_base["REMOTE_ADDR"] = address
        return device

    return browser


def test_a_guesser_is_refused_while_the_owner_gets_in_from_another_address(make, from_address):
    make.user(email="dalia@example.org")
    guesser = from_address("203.0.113.7")
    assert [guesser.post("/login", data=WRONG).status_code for _ in range(3)] == [400, 400, 400]
    refused = guesser.post("/login", data=RIGHT)  # even the right password, from there
    assert refused.status_code == 429 and "Too many requests" in refused.get_data(as_text=True)
    assert from_address("198.51.100.20").post("/login", data=RIGHT).status_code == 302


def test_18_wrong_passwords_then_the_right_one_does_not_log_in(make, from_address):
    make.user(email="dalia@example.org")
    guesser = from_address("203.0.113.7")
    codes = [guesser.post("/login", data=WRONG).status_code for _ in range(18)]
    assert codes.count(400) == 3 and codes.count(429) == 15
    assert guesser.post("/login", data=RIGHT).status_code == 429


def test_guesses_spread_over_many_addresses_meet_the_accounts_own_cap(make, from_address):
    make.user(email="dalia@example.org")
    make.user(email="rachel@example.org")
    for n in range(6):
        assert from_address(f"203.0.113.{n + 1}").post("/login", data=WRONG).status_code == 400
    assert from_address("198.51.100.20").post("/login", data=RIGHT).status_code == 429
    # Another account is not touched by it.
    assert from_address("203.0.113.1").post("/login", data=dict(RIGHT, email="rachel@example.org")).status_code == 302


def test_people_signing_in_from_one_shared_address_do_not_lock_each_other_out(make, from_address):
    for n in range(10):
        make.user(email=f"person{n}@example.org")
    for n in range(10):
        office = from_address("192.0.2.10")
        assert office.post("/login", data=dict(RIGHT, email=f"person{n}@example.org")).status_code == 302


def test_one_address_guessing_at_many_accounts_is_refused(make, from_address):
    guesser = from_address("203.0.113.9")
    codes = [guesser.post("/login", data=dict(WRONG, email=f"someone{n}@example.org")).status_code for n in range(9)]
    assert codes == [400] * 8 + [429]


def test_wrong_codes_are_limited_per_account(make, from_address, monkeypatch):
    monkeypatch.setattr(two_factor, "clock", lambda: 1_800_000_000.0)
    user = make.user(email="dalia@example.org")
    user.totp_secret = pyotp.random_base32()
    from webapp.extensions import db

    db.session.commit()
    guesser = from_address("203.0.113.7")
    assert guesser.post("/login", data=RIGHT).location == "/login/code"
    assert [guesser.post("/login/code", data={"code": f"00000{n}"}).status_code for n in range(3)] == [400] * 3
    right = pyotp.TOTP(user.totp_secret).at(1_800_000_000)
    assert guesser.post("/login/code", data={"code": right}).status_code == 429


def test_reset_requests_are_limited_per_address_typed_and_per_client(make, from_address):
    make.user(email="dalia@example.org")
    one = from_address("203.0.113.7")
    codes = [one.post("/login/forgot", data={"email": "dalia@example.org"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    codes = [one.post("/login/forgot", data={"email": f"n{n}@example.org"}).status_code for n in range(3)]
    assert codes == [302, 429, 429]  # four from this client in the hour, the refused one among them
    # The same limit whether or not the address has an account: it tells nobody who has one.
    other = from_address("198.51.100.3")
    codes = [other.post("/login/forgot", data={"email": "nobody@example.org"}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_others_failures_from_a_shared_address_do_not_refuse_the_right_password(make, from_address):
    """An office's mistyped passwords use up the address's failures: a wrong guess from there is refused,
    the right password for a known account still signs in; the per-account limits still stop a guesser."""
    make.user(email="dalia@example.org")
    office = "192.0.2.10"
    codes = [from_address(office).post("/login", data=dict(WRONG, email=f"person{n}@example.org")).status_code
             for n in range(9)]
    assert codes == [400] * 8 + [429]
    assert from_address(office).post("/login", data=WRONG).status_code == 429
    assert from_address(office).post("/login", data=RIGHT).status_code == 302
    # Dalia's own wrong guesses from the office still meet her (account, address) limit.
    guesser = from_address(office)
    assert [guesser.post("/login", data=WRONG).status_code for _ in range(3)] == [429, 429, 429]
    assert guesser.post("/login", data=RIGHT).status_code == 429
