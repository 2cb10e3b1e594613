"""Real `flask deliver` workers start a scheduled message on time, once: two of them on PostgreSQL."""
import signal
import time
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import PG_URL
from tests.outbox.test_worker_processes import _env, _start, _wait_for
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.mailing import compose
from webapp.outbox.models import Delivery, Email


def test_workers_start_a_scheduled_message_on_time_and_only_once(app, database_url, make, mailbox):
    dalia = make.user(name="Dalia Contact", email="dalia@example.org")
    group = make.group(contacts=[dalia])
    members = sorted(make.member(group, email=f"member{i:03d}@example.org").person.email for i in range(120))
    with app.test_request_context():
        message = compose.save(dalia, None, subject="Hill visit", body="See you there.", groups=[group],
                               reply_to=dalia.email, scheduled_for=utcnow() + timedelta(seconds=4))
        compose.confirm(dalia, message)
    due = message.scheduled_for
    db.session.remove()
    env = _env(database_url, mailbox)
    workers = [_start(env) for _ in range(2 if PG_URL else 1)]  # on SQLite one worker is the rule
    try:
        while utcnow() < due - timedelta(seconds=1):
            assert mailbox.messages == [], "sent before its time"
            time.sleep(0.1)
        _wait_for(lambda: len(mailbox.messages) >= len(members), seconds=60)
        assert utcnow() >= due
        time.sleep(1.5)  # any second start would have queued and sent more by now
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            _, stderr = worker.communicate(timeout=30)
            assert worker.returncode == 0, stderr
    assert sorted(a for m in mailbox.messages for a in m.rcpt_tos) == members
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Email)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == len(members)
