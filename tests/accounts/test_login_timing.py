"""Login does the same work whether or not the account exists, so its time tells nobody who has one."""
import time

from webapp.accounts import passwords, services


def test_an_unknown_inactive_or_invited_account_costs_one_password_check_like_a_real_one(make, monkeypatch):
    make.user(email="dalia@example.org")
    inactive = make.user(email="gone@example.org")
    services.set_active(inactive, False)
    services.create_user(email="invited@example.org", name="Invited")  # no password yet
    checks = []
    real = passwords._check_argon2

    def counting(pwhash, password):
        checks.append(pwhash.rsplit("$", 2)[0])  # the method and its cost parameters
        return real(pwhash, password)

    monkeypatch.setattr(passwords, "_check_argon2", counting)
    costs = set()
    for email in ("dalia@example.org", "nobody@example.org", "gone@example.org", "invited@example.org"):
        checks.clear()
        assert services.authenticate(email, "wrong password") is None
        assert len(checks) == 1, email
        costs.add(checks[0])
    assert len(costs) == 1 and costs.pop().startswith("$argon2id$")  # the same method and cost


def test_the_time_of_a_wrong_login_is_the_same_for_an_account_and_for_nobody(make):
    make.user(email="dalia@example.org")

    def timed(email):
        start = time.perf_counter()
        services.authenticate(email, "wrong password")
        return time.perf_counter() - start

    for email in ("dalia@example.org", "nobody@example.org"):
        timed(email)  # warm up
    # Taken in turns, so that a busy machine slows both alike; the medians of nine.
    known, unknown = [], []
    for _ in range(9):
        known.append(timed("dalia@example.org"))
        unknown.append(timed("nobody@example.org"))
    known, unknown = sorted(known)[4], sorted(unknown)[4]
    assert 0.6 < known / unknown < 1.6, (known, unknown)
