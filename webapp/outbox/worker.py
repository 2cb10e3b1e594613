"""The delivery worker: claim due deliveries under a lease, send them, record each result.

A claim is committed before any SMTP traffic, so a worker that dies leaves rows
whose lease runs out and another worker picks them up. Results are written in
small groups, and only while this worker still holds the lease; before each
group is sent the worker looks again at which rows are still its own (a member
may have left, an address may have been suppressed, staff may have cancelled).

Before each batch the worker also runs the due work that features above the
outbox registered (register_due_work): a roster message scheduled for later is
started there, its deliveries queued, by whichever worker claims it first.
"""
import fcntl
import json
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
from sqlalchemy.orm import selectinload

from webapp.bounces import scoring, verp
from webapp.db_types import utcnow
from webapp.extensions import db
from webapp.outbox import services
from webapp.outbox.models import Attachment, Delivery, DeliveryStatus, Email, EmailKind, Suppression
from webapp.outbox.smtp import CONNECTION_ERRORS, Connection, Outcome, build, check_address, template

log = logging.getLogger(__name__)

# Results are written after this many sends or this many seconds, whichever comes
# first. A worker killed in between sends these again: the bound on duplicates.
RECORD_EVERY = 20
RECORD_SECONDS = 1.0
# How often a busy worker writes down that the server answers (see services.server_trouble).
REACHED_EVERY_SECONDS = 10.0
# How often each worker, busy or idle, writes that it is alive (/healthz reports the age).
HEARTBEAT_SECONDS = 30.0

_CLAIM_COLUMNS = (Delivery.id, Delivery.email_id, Delivery.address, Delivery.name, Delivery.variables,
                  Delivery.status, Delivery.attempts, Delivery.expired_leases, Delivery.created_at,
                  Delivery.message_id)


# Emails whose shared part a worker keeps encoded between batches (attachments are encoded once per email);
# with 10 MB of attachments each, four take about 100 MB.
TEMPLATES_KEPT = 4


def register_due_work(app, work):
    """Have every worker call work() before each batch; it commits what it does and returns how much it did.

    This is how features above the outbox (which the outbox must not import)
    have a worker start what has become due, such as a scheduled message.
    """
    app.extensions.setdefault("outbox_due_work", []).append(work)


class WorkerBusy(RuntimeError):
    """Another worker already runs against this SQLite database."""


class Worker:
    def __init__(self, name=None):
        config = current_app.config
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.lease_seconds = config["OUTBOX_LEASE_SECONDS"]
        self.retry_period = timedelta(hours=config["OUTBOX_RETRY_HOURS"])
        self.retry_base = config["OUTBOX_RETRY_BASE_SECONDS"]
        self.max_leases = config["OUTBOX_MAX_LEASES"]
        self.rate = config["OUTBOX_RATE_PER_SECOND"]
        self.batch_size = config["OUTBOX_BATCH_SIZE"]
        if self.rate > 0:
            # A throttled batch must finish well inside its lease.
            self.batch_size = max(1, min(self.batch_size, int(self.rate * self.lease_seconds / 2)))
        self.sender = config["MAIL_DEFAULT_SENDER"]
        self.domain = parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"
        self.connection = Connection(config["OUTBOX_MESSAGES_PER_CONNECTION"])
        self._last_send = 0.0
        self._renew_at = 0.0
        self._bounced = []
        self._unreachable_error = None
        self._reached = False  # an answer from the server since the state was last written
        self._reached_written = float("-inf")
        self._lock_file = None
        self._templates = {}  # email id -> (email, its shared part), the most recent last
        self._heartbeat_at = float("-inf")
        self._tally = {}

    # -- running ---------------------------------------------------------

    def run(self, once=False, should_stop=lambda: False):
        """Work until nothing is due (once) or until should_stop() says so. Returns rows handled."""
        self._take_sqlite_lock()
        handled = 0
        try:
            while not should_stop():
                self._heartbeat()
                count = self._work_batch_or_wait()
                handled += count
                if count == 0:
                    if once:
                        break
                    # An idle connection would only be timed out by the server.
                    self.connection.close()
                    time.sleep(current_app.config["OUTBOX_IDLE_SECONDS"])
        finally:
            self.connection.close()
            db.session.remove()
            if self._lock_file is not None:
                self._lock_file.close()
                self._lock_file = None
        return handled

    def _work_batch_or_wait(self):
        try:
            return self.start_due_work() + self.work_batch()
        except Exception as exc:  # noqa: BLE001 - the worker never exits on one batch's trouble
            # The database went away or stayed locked, or a fault no row caught:
            # what was claimed and not recorded is reclaimed when its lease runs
            # out (and set aside as dead if it keeps happening). Try again later.
            if isinstance(exc, sa.exc.OperationalError):
                log.warning("database error, retrying: %s", exc)
            else:
                log.exception("unexpected error in a batch, retrying")
            db.session.rollback()
            self.connection.abort()
            time.sleep(current_app.config["OUTBOX_IDLE_SECONDS"])
            return 0

    def _heartbeat(self):
        if time.monotonic() - self._heartbeat_at < HEARTBEAT_SECONDS:
            return
        try:
            services.record_heartbeat()
            db.session.commit()
            self._heartbeat_at = time.monotonic()
        except sa.exc.OperationalError as exc:
            db.session.rollback()
            log.warning("database error writing the heartbeat: %s", exc)

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
            self._lock_file.close()
            self._lock_file = None
            raise WorkerBusy(f"another delivery worker is running on {url.database}; on SQLite one is enough")

    def start_due_work(self):
        """Run each registered piece of due work; how much they did (queued deliveries are sent next)."""
        done = 0
        for work in current_app.extensions.get("outbox_due_work", ()):
            try:
                done += work() or 0
            except Exception:  # noqa: BLE001 - what is due must never stop the mail already queued
                log.exception("due work %s failed; it is tried again before the next batch", work.__name__)
                db.session.rollback()
        return done

    # -- one batch -------------------------------------------------------

    def claim(self):
        """Lease a batch of due rows to this worker and commit the claim; returns the claimed rows."""
        now = utcnow()
        due = sa.or_(
            sa.and_(Delivery.status == DeliveryStatus.QUEUED, Delivery.next_attempt_at <= now),
            sa.and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_expires_at < now),
        )
        query = sa.select(*_CLAIM_COLUMNS).where(due).order_by(Delivery.next_attempt_at, Delivery.id) \
            .limit(self.batch_size)
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = db.session.execute(query).all()
        # A row still "sending" here was held by a worker that died or lost it.
        dead = {r.id for r in rows if r.status == DeliveryStatus.SENDING and r.expired_leases + 1 >= self.max_leases}
        # Each UPDATE repeats `due`: SQLite has no row locks, and a row cancelled
        # between the SELECT and here must stay cancelled.
        if dead:
            db.session.execute(
                sa.update(Delivery).where(Delivery.id.in_(dead), due)
                .values(status=DeliveryStatus.DEAD, lease_expires_at=None, expired_leases=Delivery.expired_leases + 1,
                        last_reply=f"set aside: {self.max_leases} leases ran out without a result")
                .execution_options(synchronize_session=False))
        ids = [r.id for r in rows if r.id not in dead]
        claimed = set(db.session.scalars(
            sa.update(Delivery).where(Delivery.id.in_(ids), due)
            .values(status=DeliveryStatus.SENDING, leased_by=self.name,
                    lease_expires_at=now + timedelta(seconds=self.lease_seconds),
                    expired_leases=Delivery.expired_leases
                    + sa.case((Delivery.status == DeliveryStatus.SENDING, 1), else_=0))
            .returning(Delivery.id).execution_options(synchronize_session=False)
        )) if ids else set()
        db.session.commit()
        self._renew_at = time.monotonic() + self.lease_seconds / 2
        return [r for r in rows if r.id in claimed]

    def work_batch(self):
        """Claim, send and record one batch; returns how many rows it took."""
        rows = self.claim()
        if not rows:
            return 0
        started_batch, self._tally = time.monotonic(), {}
        emails = self._emails({r.email_id for r in rows})
        roster_ids = {e.id for e, _ in emails.values() if e.kind == EmailKind.ROSTER}
        results, start = [], 0
        while start < len(rows):
            group = rows[start:start + RECORD_EVERY]
            held, suppressed = self._recheck(rows[start:], group, roster_ids)
            self._record(results)
            results = []
            started = time.monotonic()
            for index, row in enumerate(group):
                if row.id not in held:
                    continue  # cancelled, suppressed or taken over since the claim: not ours to send
                if row.email_id in roster_ids and row.address in suppressed:
                    results.append((row.id, {"status": DeliveryStatus.SUPPRESSED, "last_reply": "suppressed"}))
                    continue
                result = self._send(*emails[row.email_id], row)
                if result is None:
                    self._server_unreachable([r.id for r in rows[start + index:]])
                    self._record(results)
                    self._log_batch(rows, started_batch, unreachable=True)
                    return len(rows)
                results.append((row.id, result))
                if time.monotonic() - started > RECORD_SECONDS:
                    group = group[:index + 1]
                    break
            start += len(group)
        self._record(results)
        self._log_batch(rows, started_batch)
        return len(rows)

    def _log_batch(self, rows, started, unreachable=False):
        # One JSON line per batch, for a log shipper, beside the web's line per request.
        log.info(json.dumps({"event": "delivery_batch", "worker": self.name, "claimed": len(rows),
                             **{str(status): n for status, n in sorted(self._tally.items())},
                             "server_unreachable": unreachable,
                             "duration_ms": round((time.monotonic() - started) * 1000, 1)}))

    def _recheck(self, remaining, group, roster_ids):
        """(ids of `group` this worker still holds, suppressed addresses among them).

        Half way through the lease, the lease of every remaining row is renewed.
        """
        renew = time.monotonic() > self._renew_at
        ids = [r.id for r in (remaining if renew else group)]
        ours = sa.and_(Delivery.id.in_(ids), Delivery.leased_by == self.name,
                       Delivery.status == DeliveryStatus.SENDING)
        if renew:
            held = set(db.session.scalars(
                sa.update(Delivery).where(ours)
                .values(lease_expires_at=utcnow() + timedelta(seconds=self.lease_seconds))
                .returning(Delivery.id).execution_options(synchronize_session=False)
            ))
            self._renew_at = time.monotonic() + self.lease_seconds / 2
        else:
            held = set(db.session.scalars(sa.select(Delivery.id).where(ours)))
        roster_addresses = {r.address for r in group if r.email_id in roster_ids}
        suppressed = set(db.session.scalars(
            sa.select(Suppression.address).where(Suppression.address.in_(roster_addresses))
        )) if roster_addresses else set()
        return held, suppressed

    def _emails(self, ids):
        """{id: (email, its shared part)}: read and encoded once, then kept for the next batches."""
        missing = ids - self._templates.keys()
        for email in _load_emails(missing):
            self._templates[email.id] = (email, self._template(email))
        for email_id in ids:  # most recently used last
            self._templates[email_id] = self._templates.pop(email_id)
        wanted = {email_id: self._templates[email_id] for email_id in ids}
        while len(self._templates) > max(TEMPLATES_KEPT, len(ids)):
            self._templates.pop(next(iter(self._templates)))
        return wanted

    def _template(self, email):
        """The email's shared part, or the exception that stopped it: then each of its rows fails alone."""
        try:
            return template(email, self.sender)
        except Exception as exc:  # noqa: BLE001 - one email's fault must not stop the batch
            log.warning("email %s cannot be built: %r", email.id, exc)
            return exc

    def _send(self, email, shared, row):
        """Send one row; the values to record, or None when the server cannot be reached."""
        try:
            if isinstance(shared, Exception):
                raise shared
            check_address(row.address)
            unsubscribe_url = services.unsubscribe_url(row.id)
            message_id, data = build(email, shared, row, unsubscribe_url, self.domain)
        except Exception as exc:  # noqa: BLE001 - whatever stops one email being built fails it alone
            log.warning("delivery %s cannot be built: %r", row.id, exc)
            return self._result(row, "", Outcome("permanent", f"not sent: this email could not be built: {exc}"))
        for _ in range(2):  # a connection found dead before MAIL was accepted gets one more try
            try:
                self.connection.ensure_open()
            except CONNECTION_ERRORS as exc:
                self._unreachable_error = exc
                return None
            self._throttle()
            outcome = self.connection.send(verp.envelope_sender(row.id), row.address, data)
            if outcome.kind != "not_sent":
                break
        else:
            self._unreachable_error = outcome.reply
            return None
        self._reached = True
        if outcome.mailbox_unknown:
            # After this row's own result is written, or suppressing would overwrite it.
            self._bounced.append((row.address, outcome.reply))
        return self._result(row, message_id, outcome)

    # -- results ---------------------------------------------------------

    def _result(self, row, message_id, outcome):
        now = utcnow()
        values = {"attempts": row.attempts + 1, "last_reply": outcome.reply[:2000], "message_id": message_id}
        if outcome.kind == "sent":
            values.update(status=DeliveryStatus.SENT, sent_at=now)
        elif outcome.kind == "permanent" or now - row.created_at >= self.retry_period:
            values.update(status=DeliveryStatus.FAILED)
            log.warning("delivery %s to %r failed: %s", row.id, row.address, outcome.reply)
        else:
            jitter = random.uniform(-0.2, 0.2)
            values.update(status=DeliveryStatus.QUEUED,
                          next_attempt_at=now + services.retry_delay(row.attempts + 1, self.retry_base, jitter))
        return values

    def _record(self, results):
        """Write results for rows this worker still holds, and commit; a row another worker took is left alone."""
        shapes = {}
        for delivery_id, values in results:
            self._tally[values["status"]] = self._tally.get(values["status"], 0) + 1
            shape = (tuple(sorted(values)), values["status"] == DeliveryStatus.SENT)
            shapes.setdefault(shape, []).append({"row_id": delivery_id, **{f"v_{k}": v for k, v in values.items()}})
        table = Delivery.__table__
        for (columns, sent), params in shapes.items():
            # Mail that went out is recorded as sent even if it was cancelled or
            # suppressed meanwhile; any other result only while the row is still
            # "sending", so that a cancellation wins.
            statuses = [DeliveryStatus.SENDING] + ([DeliveryStatus.CANCELLED, DeliveryStatus.SUPPRESSED,
                                                    DeliveryStatus.DEAD] if sent else [])
            # One executemany per shape of result: a statement per row would cost more than the SMTP.
            db.session.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"), table.c.leased_by == self.name,
                       sa.or_(*(table.c.status == s for s in statuses)))
                .values({**{c: sa.bindparam(f"v_{c}") for c in columns}, "lease_expires_at": None}),
                params,
            )
        # A "mailbox unknown" at send time is a hard bounce like one that comes back later.
        started = [address for address, reply in self._bounced
                   if scoring.charge(address, hard=True, diagnostic=reply).started]
        scoring.announce(started)
        self._bounced = []
        if self._reached and time.monotonic() - self._reached_written > REACHED_EVERY_SECONDS:
            services.record_server_reached()
            self._reached, self._reached_written = False, time.monotonic()
        db.session.commit()

    def _server_unreachable(self, ids):
        # Nobody's fault but the server's: the rows go back as they were, with no
        # attempt counted, and are tried again after a pause.
        log.warning("mail server unreachable: %s", self._unreachable_error)
        db.session.execute(
            sa.update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.leased_by == self.name, Delivery.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.QUEUED, lease_expires_at=None, leased_by="",
                    next_attempt_at=utcnow() + timedelta(seconds=self.retry_base))
            .execution_options(synchronize_session=False)
        )
        services.record_server_unreachable(str(self._unreachable_error)[:2000])

    def _throttle(self):
        if self.rate > 0:
            wait = self._last_send + 1 / self.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_send = time.monotonic()


def _load_emails(ids):
    """The batch's email bodies, detached from the session so that commits do not reload them."""
    if not ids:
        return []
    emails = db.session.scalars(sa.select(Email).where(Email.id.in_(ids))
                                .options(selectinload(Email.attachments).undefer(Attachment.data))).all()
    for email in emails:
        for attachment in email.attachments:
            if attachment in db.session:  # one file may go with two emails (a message and its test)
                db.session.expunge(attachment)
        db.session.expunge(email)
    return emails
