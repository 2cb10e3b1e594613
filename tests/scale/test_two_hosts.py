"""The app as if on two hosts: two gunicorn servers and two `flask deliver` workers on one PostgreSQL database,
the rate limits in Redis, the mail at the test SMTP server."""
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_URL, links_in
from webapp.extensions import db

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS = ("127.0.0.1", 6379)
MEMBERS = 120


def _answers(address):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(address) == 0


pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="several hosts share one PostgreSQL database: this runs in the suite's "
                                          "PostgreSQL pass (make test-postgres, TEST_DATABASE_URL)"),
    pytest.mark.skipif(not _answers(REDIS), reason="Redis does not answer on 127.0.0.1:6379: the shared rate "
                                                   "limit cannot be tested (.ci/run starts redis-server)"),
]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(condition, seconds=60, what="condition"):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Browser:
    """A visitor with cookies, free to use any host (the servers share the SECRET_KEY, hence sessions)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def get(self, url):
        return self._open(urllib.request.Request(url))

    def post(self, url, data, token_from):
        data = {**data, "csrf_token": re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"',
                                                token_from).group(1)}
        return self._open(urllib.request.Request(url, data=urllib.parse.urlencode(data, doseq=True).encode()))

    def _open(self, request):
        try:
            response = self.opener.open(request, timeout=120)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)
        return response.status, response.read().decode(), dict(response.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def hosts(app, database_url, smtp_server, tmp_path):
    """Two web servers (their base URLs) and two delivery workers, started and stopped around the test."""
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url, "SECRET_KEY": "k" * 8 + uuid.uuid4().hex,
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port), "OUTBOX_IDLE_SECONDS": "0.1",
           "OUTBOX_BATCH_SIZE": "10", "RATELIMIT_STORAGE_URI": f"redis://{REDIS[0]}:{REDIS[1]}/0",
           "RATELIMIT_KEY_PREFIX": f"two-hosts-{uuid.uuid4().hex}", "JOIN_RATE_LIMIT": "4 per hour",
           "LOG_REQUESTS": "1", "PYTHONWARNINGS": "ignore", "FLASK_APP": "wsgi",
           # Kept pages and their generations in Redis, as on several hosts (not in the instance folder they share).
           "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
           "CACHE_KEY_PREFIX": f"two-hosts-{uuid.uuid4().hex}:"}
    ports = [_free_port(), _free_port()]
    processes = []
    logs = []

    def start(name, command, **extra):
        log = open(tmp_path / f"{name}.log", "w+")
        logs.append(log)
        processes.append(subprocess.Popen(command, cwd=ROOT, env={**env, **extra}, stdout=log, stderr=log))

    try:
        for name, port in zip("ab", ports):
            start(f"web-{name}", [str(BIN / "gunicorn"), "--workers", "2", "--no-control-socket", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                  PUBLIC_URL=f"http://127.0.0.1:{port}")
        for name in ("worker-1", "worker-2"):
            start(name, [sys.executable, "-m", "flask", "deliver"])
        for port in ports:
            _wait_for(lambda: _answers(("127.0.0.1", port)), what=f"the server on port {port}")
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.seek(0)
            sys.stderr.write(f"--- {log.name}\n{log.read()[-3000:]}")
            log.close()


def test_two_servers_and_two_workers_share_one_database_and_one_rate_limit(hosts, make, mailbox, app):
    from webapp.membership.models import Membership, Person, Status
    from webapp.outbox.models import Delivery

    a, b = hosts
    make.user(email="staff@example.org", name="Sam Staff", role="staff")
    group = make.group(contacts=[make.user(email="dalia@example.org", name="Dalia Contact")])
    db.session.execute(sa.insert(Person), [{"id": 1000 + k, "name": f"Member {k}", "email": f"m{k:03d}@example.org"}
                                           for k in range(MEMBERS)])
    db.session.execute(sa.insert(Membership), [{"person_id": 1000 + k, "group_id": group.id, "status": Status.ACTIVE}
                                               for k in range(MEMBERS)])
    db.session.commit()

    # Both servers answer, and each says it is healthy.
    for host in hosts:
        status, body, headers = Browser().get(f"{host}/healthz")
        assert status == 200 and '"database":"ok"' in body.replace(" ", "") and headers["X-Request-ID"]

    # A join on one server is confirmed on the other.
    visitor = Browser()
    status, page, _ = visitor.get(f"{a}/groups/defensive-support")
    assert status == 200 and "Request to join" in page
    status, _, headers = visitor.post(f"{a}/groups/defensive-support",
                                      {"name": "Ana Two-Hosts", "email": "ana@example.org", "consent": "y"}, page)
    assert status == 302, page
    _wait_for(lambda: mailbox.to("ana@example.org"), what="the confirmation email")
    link = next(u for u in links_in(mailbox.to("ana@example.org")[0].text()) if "/confirm/" in u)
    contact = Browser()  # the group's contact reads the review queue on server a, twice: the second is kept
    page = contact.get(f"{a}/login")[1]
    assert contact.post(f"{a}/login", {"email": "dalia@example.org", "password": "correct horse battery"},
                        page)[0] == 302
    for _ in range(2):
        status, page, _ = contact.get(f"{a}/review")
        assert status == 200 and "Ana Two-Hosts" not in page  # not confirmed yet
    assert link.startswith(a)
    on_b = link.replace(a, b)
    status, page, _ = visitor.get(on_b)
    assert status == 200
    status, page, _ = visitor.post(on_b, {}, page)
    assert status == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(Membership.status).join(Person).where(Person.email == "ana@example.org")) \
        == Status.PENDING
    assert "Ana Two-Hosts" in contact.get(f"{a}/review")[1]  # confirmed on b: a's kept page is not served

    # A roster send, made on one server, is drained by both workers: everyone gets exactly one email.
    staff = Browser()
    status, page, _ = staff.get(f"{b}/login")
    assert staff.post(f"{b}/login", {"email": "staff@example.org", "password": "correct horse battery"},
                      page)[0] == 302
    status, page, _ = staff.get(f"{a}/messages/new")
    assert status == 200
    status, page, headers = staff.post(f"{a}/messages/new", {"subject": "Two hosts", "body": "Hello, everyone.",
                                                             "groups": str(group.id), "send": "y"}, page)
    assert status == 302, page
    # The second look, on the other server: only its button sends.
    confirm = urllib.parse.urlsplit(headers["Location"]).path
    status, page, _ = staff.get(f"{b}{confirm}")
    assert status == 200 and "Yes, send it" in page, page
    assert staff.post(f"{b}{confirm}", {}, page)[0] == 302
    members = {f"m{k:03d}@example.org" for k in range(MEMBERS)}

    def roster_mail():
        return [m for m in mailbox.messages if m.subject == "Two hosts"]

    _wait_for(lambda: len(roster_mail()) >= MEMBERS, seconds=120, what="the roster email")
    time.sleep(1)  # anything sent twice would have arrived by now
    received = sorted(to for m in roster_mail() for to in m.rcpt_tos)
    assert sorted(members) == received  # each member once, nobody twice
    db.session.expire_all()
    workers = db.session.scalars(sa.select(Delivery.leased_by).where(Delivery.address.in_(members)).distinct()).all()
    assert len(set(workers)) == 2, workers  # both workers took a share

    # The join limit (4 an hour) holds across both servers: they count in Redis together.
    statuses = []
    for k, host in enumerate([a, b, a, b, a]):
        joiner = Browser()
        page = joiner.get(f"{host}/groups/defensive-support")[1]
        statuses.append(joiner.post(f"{host}/groups/defensive-support",
                                    {"name": f"Joiner {k}", "email": f"joiner{k}@example.org", "consent": "y"},
                                    page)[0])
    # Ana's join counted too: three more are allowed, the next ones are refused on either server.
    assert statuses == [302, 302, 302, 429, 429]
