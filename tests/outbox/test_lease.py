"""Claims are leases: committed before any SMTP, reclaimed when they run out, set aside after three."""
import time

import sqlalchemy as sa

from tests.outbox.conftest import addresses, claim_and_die, leases_run_out, queue, rows
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.outbox.models import Delivery
from webapp.outbox.worker import Worker


def test_a_claim_is_committed_before_any_smtp_traffic(app, server):
    queue(addresses(3))
    claimed = claim_and_die(app, "worker-a")
    assert len(claimed) == 3
    with db.engine.connect() as other:  # what any other connection sees
        seen = other.execute(sa.select(Delivery.status, Delivery.leased_by, Delivery.lease_expires_at)).all()
    assert [(status, by) for status, by, _ in seen] == [("sending", "worker-a")] * 3
    assert all(expires is not None for _, _, expires in seen)
    assert server.messages == []


def test_a_held_lease_keeps_other_workers_off(app, server, deliver):
    queue(addresses(3))
    claim_and_die(app, "worker-a")
    deliver()
    assert server.messages == []
    assert {d.status for d in rows().values()} == {"sending"}


def test_rows_of_a_dead_worker_are_reclaimed_when_the_lease_runs_out(app, server, deliver):
    queue(addresses(3))
    claim_and_die(app, "worker-a")
    leases_run_out()
    deliver()
    assert [(d.status, d.attempts, d.expired_leases) for d in rows().values()] == [("sent", 1, 1)] * 3
    assert server.copies() == {a: 1 for a in addresses(3)}


def test_a_row_whose_lease_ran_out_three_times_is_set_aside_as_dead(app, server, deliver):
    queue(addresses(2))
    for n in range(3):
        claim_and_die(app, f"worker-{n}")
        leases_run_out()
    deliver()
    dead = list(rows().values())
    assert [(d.status, d.expired_leases, d.attempts) for d in dead] == [("dead", 3, 0)] * 2
    assert "3 leases ran out" in dead[0].last_reply
    assert server.messages == []


def test_a_sent_row_stays_sent_whatever_happens_to_its_lease_later(app, server, deliver):
    queue(addresses(2))
    deliver()
    db.session.execute(sa.update(Delivery).values(lease_expires_at=utcnow()))  # as if a lease had run out
    db.session.commit()
    deliver()
    assert {d.status for d in rows().values()} == {"sent"}
    assert server.copies() == {a: 1 for a in addresses(2)}


def test_a_worker_takes_at_most_a_batch_at_a_time(app, server, config_overrides):
    app.config["OUTBOX_BATCH_SIZE"] = 4
    queue(addresses(10))
    assert len(claim_and_die(app, "worker-a")) == 4
    assert len(claim_and_die(app, "worker-b")) == 4
    assert len(claim_and_die(app, "worker-c")) == 2


def test_the_rate_setting_spaces_out_the_emails(app, server, deliver):
    app.config["OUTBOX_RATE_PER_SECOND"] = 20
    queue(addresses(10))
    started = time.monotonic()
    deliver()
    assert time.monotonic() - started >= 9 / 20
    assert len(server.messages) == 10


def test_the_connection_is_renewed_after_the_set_number_of_emails(app, server, deliver):
    app.config["OUTBOX_MESSAGES_PER_CONNECTION"] = 3
    queue(addresses(7))
    deliver()
    assert server.connections == 3
    assert server.copies() == {a: 1 for a in addresses(7)}


def test_a_busy_worker_renews_its_lease_so_no_other_worker_takes_its_rows(app, server, deliver):
    app.config["OUTBOX_LEASE_SECONDS"] = 3
    queue(addresses(14))
    server.slow("DATA", 0.3)  # 14 emails take about 4 s: longer than the lease
    taken = []

    def another_worker_tries(received):
        if len(server.messages) == 12:  # about 3.6 s after the claim
            with app.app_context():
                taken.extend(Worker(name="worker-b").claim())
                db.session.remove()

    server.handler.on_message = another_worker_tries
    deliver()
    assert taken == []
    assert [(d.status, d.expired_leases) for d in rows().values()] == [("sent", 0)] * 14
    assert server.copies() == {a: 1 for a in addresses(14)}
