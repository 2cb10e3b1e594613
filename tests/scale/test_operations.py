"""What operators of several machines read: /healthz, a JSON line per request, and the client's address."""
import json
import logging

import pytest

from config import TestConfig
from webapp import create_app


def test_healthz_says_the_database_answers_and_how_the_workers_and_mail_server_are(client, deliver, mailbox):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == {"status": "ok", "database": "ok", "mail_server": "unknown",
                             "worker": {"heartbeat_age_seconds": None, "state": "stale"}}
    deliver()
    health = client.get("/healthz").json
    assert health["worker"]["state"] == "ok" and 0 <= health["worker"]["heartbeat_age_seconds"] <= 5


def test_healthz_reveals_no_data_and_names_the_unreachable_mail_server(client, app):
    from webapp.extensions import db
    from webapp.outbox import services

    services.record_server_unreachable("connect to mail.internal.example.org:25 refused")
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["mail_server"] == "unreachable"
    assert "example.org" not in response.get_data(as_text=True)


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path, smtp_server):
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db",
                                            "MAIL_PORT": smtp_server.port})
    response = create_app(config).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def request_lines(config_overrides):
    config_overrides["LOG_REQUESTS"] = True
    handler = Lines()
    logger = logging.getLogger("webapp.requests")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.INFO
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_one_json_line_per_request_with_the_route_and_the_request_id(request_lines, client, make):
    make.group()
    response = client.get("/groups/defensive-support?lang=es", headers={"X-Request-ID": "lb-42.abc"})
    assert response.headers["X-Request-ID"] == "lb-42.abc"
    client.get("/no/such/page")
    made = client.get("/groups", headers={"X-Request-ID": "not a token\u00e9"}).headers["X-Request-ID"]
    lines = [json.loads(line) for line in request_lines]
    assert len(lines) == 3
    first = lines[0]
    assert first["method"] == "GET" and first["path"] == "/groups/<slug>" and first["status"] == 200
    assert first["request_id"] == "lb-42.abc" and first["duration_ms"] >= 0
    assert lines[1]["path"] is None and lines[1]["status"] == 404
    assert lines[2]["request_id"] == made and len(made) == 32 and made != "not a token"


def test_a_delivery_batch_writes_one_json_line(app, make, deliver, mailbox, caplog):
    from webapp.membership import services

    group = make.group()
    services.request_to_join(group, name="Ana", email="ana@example.org", organization_name="", role_title="",
                             note="", language="en")
    with caplog.at_level(logging.INFO, logger="webapp.outbox.worker"):
        deliver()
    batches = [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith("{")]
    assert len(batches) == 1
    assert batches[0]["event"] == "delivery_batch" and batches[0]["claimed"] == 1 and batches[0]["sent"] == 1


@pytest.mark.parametrize("proxies, limited", [(0, True), (1, False)])
def test_x_forwarded_for_counts_only_behind_trusted_proxies(app, proxies, limited):
    from webapp.extensions import db

    served = create_app(type("Config", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "MAIL_PORT": 0,
        "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute", "TRUSTED_PROXIES": proxies}))
    client = served.test_client()
    statuses = [client.post("/login", data={"email": "x@example.org", "password": "wrong"},
                            headers={"X-Forwarded-For": f"203.0.113.{k}"}).status_code for k in range(3)]
    assert (statuses[-1] == 429) is limited
    with served.app_context():
        db.engine.dispose()
