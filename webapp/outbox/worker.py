"""The delivery worker: claim due deliveries under a lease, send them, record each result.

A claim is committed before any SMTP traffic, so a worker that dies leaves rows
whose lease runs out and another worker picks them up. Results are written only
while this worker still holds the lease.
"""
import fcntl
import logging
import os
import random
import socket
import time
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.outbox import services
from webapp.outbox.models import Delivery, DeliveryStatus, Email, EmailKind, Suppression
from webapp.outbox.smtp import CONNECTION_ERRORS, Connection, build

log = logging.getLogger(__name__)


class WorkerBusy(RuntimeError):
    """Another worker already runs against this SQLite database."""


class Worker:
    def __init__(self, name=None):
        config = current_app.config
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.batch_size = config["OUTBOX_BATCH_SIZE"]
        self.lease = timedelta(seconds=config["OUTBOX_LEASE_SECONDS"])
        self.retry_period = timedelta(hours=config["OUTBOX_RETRY_HOURS"])
        self.retry_base = config["OUTBOX_RETRY_BASE_SECONDS"]
        self.max_leases = config["OUTBOX_MAX_LEASES"]
        self.rate = config["OUTBOX_RATE_PER_SECOND"]
        self.sender = config["MAIL_DEFAULT_SENDER"]
        self.bounce_address = config["MAIL_BOUNCE_ADDRESS"]
        self.domain = parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"
        self.connection = Connection(config["OUTBOX_MESSAGES_PER_CONNECTION"])
        self._last_send = 0.0
        self._lock_file = None

    # -- running ---------------------------------------------------------

    def run(self, once=False, should_stop=lambda: False):
        """Work until nothing is due (once) or until should_stop() says so. Returns rows handled."""
        self._take_sqlite_lock()
        handled = 0
        try:
            while not should_stop():
                count = self.work_batch()
                handled += count
                if count == 0:
                    if once:
                        break
                    time.sleep(current_app.config["OUTBOX_IDLE_SECONDS"])
        finally:
            self.connection.close()
            db.session.remove()
            if self._lock_file is not None:
                self._lock_file.close()
                self._lock_file = None
        return handled

    def _take_sqlite_lock(self):
        # SQLite has no SKIP LOCKED: a second worker would only fight the first
        # for the write lock, so it is turned away with a clear message.
        url = db.engine.url
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return
        path = Path(url.database).with_suffix(".worker.lock")
        self._lock_file = open(path, "w")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkerBusy(f"another delivery worker is running on {url.database}; on SQLite one is enough")

    # -- one batch -------------------------------------------------------

    def claim(self):
        """Lease a batch of due rows to this worker and commit the claim."""
        now = utcnow()
        due = sa.or_(
            sa.and_(Delivery.status == DeliveryStatus.QUEUED, Delivery.next_attempt_at <= now),
            sa.and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_expires_at < now),
        )
        query = sa.select(Delivery).where(due).order_by(Delivery.next_attempt_at, Delivery.id).limit(self.batch_size)
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = db.session.scalars(query).all()
        claimed = []
        for row in rows:
            if row.status == DeliveryStatus.SENDING:
                row.expired_leases += 1
                if row.expired_leases >= self.max_leases:
                    row.status = DeliveryStatus.DEAD
                    row.last_reply = f"set aside: {row.expired_leases} leases ran out without a result"
                    continue
            row.status = DeliveryStatus.SENDING
            row.lease_expires_at = now + self.lease
            row.leased_by = self.name
            claimed.append(row)
        db.session.commit()
        return claimed

    def work_batch(self):
        rows = self.claim()
        if not rows:
            return 0
        emails = {e.id: e for e in db.session.scalars(sa.select(Email).where(Email.id.in_({r.email_id for r in rows})))}
        suppressed = set(db.session.scalars(
            sa.select(Suppression.address).where(Suppression.address.in_({r.address for r in rows}))
        ))
        pending_results, reachable = [], True
        for index, row in enumerate(rows):
            email = emails[row.email_id]
            if email.kind == EmailKind.ROSTER and row.address in suppressed:
                pending_results.append((row, {"status": DeliveryStatus.SUPPRESSED, "last_reply": "suppressed"}))
                continue
            try:
                self.connection.ensure_open()
            except CONNECTION_ERRORS as exc:
                self._server_unreachable(rows[index:], exc)
                reachable = False
                break
            self._throttle()
            message_id, data = build(email, row, services.unsubscribe_url(row.address), self.sender, self.domain)
            outcome = self.connection.send(self.bounce_address, row.address, data)
            pending_results.append((row, self._result(row, message_id, outcome)))
            if outcome.mailbox_unknown:
                services.suppress(row.address, f"bounced: {outcome.reply}"[:300])
            if len(pending_results) >= 50:
                self._record(pending_results)
                pending_results = []
        self._record(pending_results, reachable=reachable)
        return len(rows)

    # -- results ---------------------------------------------------------

    def _result(self, row, message_id, outcome):
        now = utcnow()
        values = {"attempts": row.attempts + 1, "last_reply": outcome.reply[:2000], "message_id": message_id}
        if outcome.kind == "sent":
            values.update(status=DeliveryStatus.SENT, sent_at=now)
        elif outcome.kind == "permanent" or now - row.created_at >= self.retry_period:
            values.update(status=DeliveryStatus.FAILED)
        else:
            jitter = random.uniform(-0.2, 0.2)
            values.update(status=DeliveryStatus.QUEUED,
                          next_attempt_at=now + services.retry_delay(row.attempts + 1, self.retry_base, jitter))
        return values

    def _record(self, results, reachable=None):
        """Write results for rows this worker still holds; a row whose lease was lost is left alone."""
        for row, values in results:
            db.session.execute(
                sa.update(Delivery)
                .where(Delivery.id == row.id, Delivery.leased_by == self.name,
                       Delivery.status == DeliveryStatus.SENDING)
                .values(lease_expires_at=None, **values)
                .execution_options(synchronize_session=False)
            )
        if reachable:
            state = services.server_state()
            if state is None or not state.server_reachable:
                services.set_server_state(True)
        db.session.commit()

    def _server_unreachable(self, rows, exc):
        # Nobody's fault but the server's: the rows go back as they were, with no
        # attempt counted, and are tried again after a pause.
        log.warning("mail server unreachable: %r", exc)
        retry_at = utcnow() + timedelta(seconds=self.retry_base)
        db.session.execute(
            sa.update(Delivery)
            .where(Delivery.id.in_([r.id for r in rows]), Delivery.leased_by == self.name,
                   Delivery.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.QUEUED, lease_expires_at=None, leased_by="", next_attempt_at=retry_at)
            .execution_options(synchronize_session=False)
        )
        services.set_server_state(False, f"{exc!r}")

    def _throttle(self):
        if self.rate > 0:
            wait = self._last_send + 1 / self.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_send = time.monotonic()
