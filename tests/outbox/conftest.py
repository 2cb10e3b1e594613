"""The outbox's tests send to a fault server whose behaviour each test sets."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.fault_smtp import FaultSMTP
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.outbox import services
from webapp.outbox.models import Delivery, EmailKind


@pytest.fixture(scope="session")
def fault_server():
    server = FaultSMTP().start()
    yield server
    server.stop()


@pytest.fixture
def server(fault_server):
    fault_server.reset()
    yield fault_server
    fault_server.reset()


@pytest.fixture
def config_overrides(server):
    # Short waits, so that retries and timeouts happen within a test.
    return {"MAIL_PORT": server.port, "MAIL_TIMEOUT": 2, "OUTBOX_RETRY_BASE_SECONDS": 60}


def queue(addresses, kind=EmailKind.ROSTER, subject="Hill visit on Tuesday"):
    """Queue one email to these addresses and commit; returns the Email."""
    email = services.enqueue(
        kind=kind, subject=subject, text="Please join us.\n", html="<p>Please join us.</p>",
        text_footer="-- \nStop: $unsubscribe_url\n", html_footer='<p><a href="$unsubscribe_url">Stop</a></p>',
        list_id="Defensive Support <defensive-support.example.org>",
        recipients=[(a, f"Member {i}", {}) for i, a in enumerate(addresses)], audience=["group:1"],
    )
    db.session.commit()
    return email


def rows(email=None):
    """Every delivery (of one email), fresh from the database, by address."""
    db.session.expire_all()
    query = sa.select(Delivery).order_by(Delivery.address)
    if email is not None:
        query = query.where(Delivery.email_id == email.id)
    return {d.address: d for d in db.session.scalars(query)}


def time_passes():
    """Make every queued retry due now, as if its backoff had run out."""
    db.session.execute(sa.update(Delivery).where(Delivery.status == "queued").values(next_attempt_at=utcnow()))
    db.session.commit()


def age(hours):
    """Make every delivery `hours` older, as if it had been queued that long ago."""
    db.session.execute(sa.update(Delivery).values(created_at=utcnow() - timedelta(hours=hours)))
    db.session.commit()


def addresses(n, prefix="member"):
    return [f"{prefix}{i:04d}@example.org" for i in range(n)]


def claim_and_die(app, name):
    """A worker claims a batch, then dies before sending anything; returns what it claimed."""
    from webapp.outbox.worker import Worker

    with app.app_context():
        claimed = Worker(name=name).claim()
        db.session.remove()
    return claimed


def leases_run_out():
    db.session.execute(sa.update(Delivery).where(Delivery.status == "sending").values(lease_expires_at=utcnow()))
    db.session.commit()
