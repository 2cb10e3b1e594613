"""CSRF on every state change, headers, error pages, rate limits and the production guard."""
import re

import pytest

from config import ProductionConfig


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True}


def csrf_from(page):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(client, make):
    group = make.group()
    response = client.post("/groups/defensive-support", data={"name": "Rosa", "email": "rosa@example.org",
                                                             "consent": "y"})
    assert response.status_code == 400
    from tests.conftest import membership_of

    assert membership_of(group, "rosa@example.org") is None


def test_with_the_token_from_the_page_it_works(client, make):
    make.group()
    token = csrf_from(client.get("/groups/defensive-support").get_data(as_text=True))
    response = client.post("/groups/defensive-support", data={"name": "Rosa", "email": "rosa@example.org",
                                                             "consent": "y", "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/logout", "/memberships/1/decide", "/memberships/1/remove",
                                  "/messages/1/retry", "/messages/1/cancel", "/staff/accounts/1/active",
                                  "/staff/mail/1/resend", "/staff/suppressions/1/lift", "/staff/blocks",
                                  "/staff/blocks/1/remove", "/review/decide", "/account/email", "/staff/groups",
                                  "/groups/defensive-support/import", "/groups/defensive-support/import/confirm",
                                  "/groups/defensive-support/members/new", "/staff/people/1/erase"])
def test_every_state_changing_route_wants_the_token(client, make, path):
    user = make.user(email="staff@example.org", role="staff")
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                "csrf_token": csrf_from(page)})
    assert client.post(path).status_code == 400


def test_pages_carry_security_headers(client, app):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_unknown_pages_get_a_friendly_404(client, app):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "There is no page at this address." in response.get_data(as_text=True)


def test_production_refuses_the_development_secret(monkeypatch):
    from webapp import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "dev-only-secret-change-me")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_wants_an_https_public_url(monkeypatch):
    from webapp import create_app

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "kQ3v9ZpT7xYw2LmN8rBc4HsJ6dFg1AeU0oIiKjWq")
    monkeypatch.setattr(ProductionConfig, "PUBLIC_URL", "http://groups.example.org")
    with pytest.raises(RuntimeError, match="https"):
        create_app(ProductionConfig)
    monkeypatch.setattr(ProductionConfig, "PUBLIC_URL", "https://groups.example.org")
    assert create_app(ProductionConfig).config["SESSION_COOKIE_SECURE"] is True


class TestRateLimits:
    @pytest.fixture
    def config_overrides(self):
        return {"RATELIMIT_ENABLED": True, "JOIN_RATE_LIMIT": "3 per hour", "LOGIN_RATE_LIMIT": "2 per minute"}

    def test_the_join_form_is_rate_limited_per_address(self, client, make):
        from webapp.extensions import limiter

        limiter.reset()
        make.group()
        data = {"name": "Rosa", "email": "rosa@example.org", "consent": "y"}
        codes = [client.post("/groups/defensive-support", data=data).status_code for _ in range(4)]
        assert codes == [302, 302, 302, 429]
        assert "Too many requests" in client.post("/groups/defensive-support", data=data).get_data(as_text=True)
        assert client.get("/groups/defensive-support").status_code == 200  # reading is never limited

    def test_login_is_rate_limited(self, client, make):
        from webapp.extensions import limiter

        limiter.reset()
        make.user(email="dalia@example.org")
        codes = [client.post("/login", data={"email": "dalia@example.org", "password": "x"}).status_code
                 for _ in range(3)]
        assert codes == [400, 400, 429]
