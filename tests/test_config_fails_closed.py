"""Only an explicit development or testing environment may run on the published development key."""
import pytest

from config import DEV_SECRET, Config, DevelopmentConfig, ProductionConfig, config_from_env
from webapp import create_app

STRONG = "kQ3v9ZpT7xYw2LmN8rBc4HsJ6dFg1AeU0oIiKjWq"  # 40 random characters


@pytest.mark.parametrize("app_env", [None, "", "prod", "Production", "staging", "production"])
def test_any_environment_but_development_or_testing_refuses_the_development_key(monkeypatch, app_env):
    if app_env is None:
        monkeypatch.delenv("APP_ENV", raising=False)
    else:
        monkeypatch.setenv("APP_ENV", app_env)
    chosen = config_from_env()
    assert chosen is ProductionConfig
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", DEV_SECRET)
    monkeypatch.setattr(ProductionConfig, "PUBLIC_URL", "https://groups.example.org")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(chosen)


@pytest.mark.parametrize("key", ["a", "changeme", "x" * 40, "0123456789abcdef0123456789abcde", "",
                                 "abcdefghijklmnopqrstuvwxyz012345", "Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3",
                                 "qwertyuiopasdfghjklzxcvbnm123456", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"])
def test_a_weak_secret_key_is_refused(monkeypatch, key):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", key)
    monkeypatch.setattr(ProductionConfig, "PUBLIC_URL", "https://groups.example.org")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


@pytest.mark.parametrize("seed", range(50))
def test_every_key_the_documentation_suggests_is_accepted(seed):
    import secrets

    from config import weak_secret

    for key in (secrets.token_urlsafe(32), secrets.token_urlsafe(48), secrets.token_hex(32), STRONG):
        assert weak_secret(key) == "", key


def test_a_strong_key_and_an_https_address_start(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", STRONG)
    monkeypatch.setattr(ProductionConfig, "PUBLIC_URL", "https://groups.example.org")
    assert create_app(ProductionConfig).config["SESSION_COOKIE_SECURE"] is True


def test_development_is_chosen_only_by_name_and_may_use_the_development_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "development")
    assert config_from_env() is DevelopmentConfig
    assert issubclass(DevelopmentConfig, Config)
    monkeypatch.setattr(DevelopmentConfig, "SECRET_KEY", DEV_SECRET)
    create_app(DevelopmentConfig)


def test_the_security_headers(client):
    response = client.get("/groups")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert directive in csp
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # served over http here


def test_hsts_when_served_over_https(client):
    response = client.get("/groups", base_url="https://groups.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_page_is_kept_by_a_browser_or_proxy_but_the_stylesheet(client, make):
    from tests.conftest import login

    make.user(email="staff@example.org", role="staff")
    group = make.group()
    make.member(group, email="ana@example.org")
    login(client, "staff@example.org")
    for path in ("/groups", "/groups/defensive-support/roster", "/groups/defensive-support/roster.csv", "/dashboard"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    with client.get("/static/style.css") as stylesheet:
        assert "no-store" not in stylesheet.headers.get("Cache-Control", "")
