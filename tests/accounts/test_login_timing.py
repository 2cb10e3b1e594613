"""Login does the same work whether or not the account exists, so its time tells nobody who has one."""
from werkzeug import security

from webapp.accounts import services


def test_an_unknown_or_inactive_account_costs_one_password_check_like_a_real_one(make, monkeypatch):
    make.user(email="dalia@example.org")
    inactive = make.user(email="gone@example.org")
    services.set_active(inactive, False)
    checks = []
    real = security.check_password_hash

    def counting(pwhash, password):
        checks.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr("webapp.accounts.models.check_password_hash", counting)
    monkeypatch.setattr("webapp.accounts.services.check_password_hash", counting, raising=False)
    for email in ("dalia@example.org", "nobody@example.org", "gone@example.org"):
        checks.clear()
        assert services.authenticate(email, "wrong password") is None
        assert len(checks) == 1, email
    methods = set()
    for email in ("dalia@example.org", "nobody@example.org"):
        checks.clear()
        services.authenticate(email, "wrong password")
        methods.add(checks[0])
    assert len(methods) == 1  # the same hashing method, hence the same cost
