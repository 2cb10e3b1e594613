"""The delivery worker against a bare Flask-Mail loop, sending the same roster email.

    python -m bench.delivery [--members 10000] [--database-url postgresql+psycopg://.../coalition_bench]

It builds a roster of N active members, writes one roster message to it (N
deliveries, as the message page does), then, each in a fresh process and
against its own fresh aiosmtpd sink process:

  worker  `Worker().run(once=True)`, what `flask deliver --once` runs: claims,
          leases, per-recipient footer and headers, results written back;
  bare    the same N emails (bodies, footers and headers prepared beforehand,
          outside the timing) sent with Flask-Mail's Message and
          mail.connect().send() over one connection, and nothing written.

It prints messages per second for both, the worker's peak RSS, and last
`worker/bare = R`. The default database is a fresh SQLite file.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBJECT = "Hill visit on Tuesday"
BODY = ("Dear members,\n\nWe meet at the Capitol on **Tuesday at 10am**. Please bring:\n\n"
        "- your organization's one-page summary\n- two stories from young people in the backlog\n\n"
        "Thank you for everything you do.\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url", help="PostgreSQL database to use; its name must contain 'bench' "
                                               "(it is emptied)")
    parser.add_argument("--phase", choices=["worker", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        return _phase(args.phase)
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        if args.database_url and "bench" not in url.rsplit("/", 1)[-1]:
            sys.exit("refusing to empty a database whose name does not contain 'bench'")
        started = time.perf_counter()
        _prepare(url, args.members)
        print(f"roster of {args.members} members, one message queued ({url.split(':')[0]}), "
              f"in {time.perf_counter() - started:.1f} s")
        worker = _run("worker", url, args.members)
        print(f"worker: {worker['sent']} sent in {worker['seconds']:.2f} s = {worker['rate']:.0f} msgs/s, "
              f"peak RSS {worker['rss_mb']:.0f} MB")
        bare = _run("bare", url, args.members)
        print(f"bare Flask-Mail loop: {bare['sent']} sent in {bare['seconds']:.2f} s = {bare['rate']:.0f} msgs/s")
        print(f"worker/bare = {worker['rate'] / bare['rate']:.2f}")
    return 0


def _app(url, **settings):
    from config import Config
    from webapp import create_app

    return create_app(type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, **settings}))


def _prepare(url, members):
    """A working group with `members` active members, and one message to them in the outbox."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from webapp.accounts.services import create_user
    from webapp.db_types import utcnow
    from webapp.extensions import db
    from webapp.groups.models import JoinPolicy, WorkingGroup
    from webapp.mailing import services as mailing
    from webapp.membership.models import Membership, Person, Status

    app = _app(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        staff = create_user(email="staff@example.org", name="Sam Staff", password="bench-password-1", role="staff")
        group = WorkingGroup(slug="defensive-support", name="Defensive Support", summary="", description="",
                             accomplishments="", join_policy=JoinPolicy.MODERATED, active=True)
        db.session.add(group)
        db.session.flush()
        db.session.execute(sa.insert(Person), [{"name": f"Member {i}", "email": f"member{i:06d}@example.org"}
                                               for i in range(members)])
        now = utcnow()
        people = db.session.scalars(sa.select(Person.id).where(Person.email.like("member%"))).all()
        db.session.execute(sa.insert(Membership), [
            {"person_id": pid, "group_id": group.id, "status": Status.ACTIVE, "consented_at": now, "joined_at": now}
            for pid in people])
        db.session.commit()
        with app.test_request_context():
            mailing.send(staff, SUBJECT, BODY, [group])
        db.engine.dispose()


def _run(phase, url, members):
    """Run one phase in its own process against its own sink; its figures."""
    from tests.smtp_sink import free_port

    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "bench.sink", str(port)], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert sink.stdout.readline().strip() == "ready"
    env = {**os.environ, "DATABASE_URL": url, "MAIL_PORT": str(port), "MAIL_SERVER": "127.0.0.1"}
    child = subprocess.run([sys.executable, "-m", "bench.delivery", "--phase", phase], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    sink.stdin.close()
    counts = dict(part.split("=") for part in sink.stdout.read().split())
    sink.wait()
    if child.returncode != 0:
        sys.exit(f"{phase} failed:\n{child.stderr}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    if int(counts["received"]) != members or int(counts["distinct"]) != members:
        sys.exit(f"{phase}: the sink received {counts}, expected {members} distinct messages")
    result["rate"] = result["sent"] / result["seconds"]
    return result


def _phase(phase):
    """In a fresh process: time one way of sending the queued message."""
    from webapp.extensions import db

    app = _app(os.environ["DATABASE_URL"], MAIL_PORT=int(os.environ["MAIL_PORT"]))
    with app.app_context():
        if phase == "worker":
            from webapp.outbox.worker import Worker

            started = time.perf_counter()
            sent = Worker(name="bench").run(once=True)
        else:
            emails = _prepared_emails(app)
            db.session.remove()
            started = time.perf_counter()
            sent = _bare_loop(app, emails)
        seconds = time.perf_counter() - started
    print(json.dumps({"sent": sent, "seconds": seconds, "rss_mb": _peak_rss_mb()}))
    return 0


def _peak_rss_mb():
    # VmHWM starts afresh at exec; ru_maxrss would also count the parent's peak
    # from before the fork (the parent that built the roster), on Linux.
    try:
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status)
        return int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepared_emails(app):
    """Every recipient's finished email parts, read and personalized before the clock starts."""
    import sqlalchemy as sa

    from webapp.extensions import db
    from webapp.outbox import services
    from webapp.outbox.models import Delivery, Email
    from webapp.outbox.smtp import headers, personalize

    email = db.session.scalars(sa.select(Email)).one()
    prepared = []
    for delivery in db.session.scalars(sa.select(Delivery).order_by(Delivery.id)):
        url = services.unsubscribe_url(delivery.address)
        text, html = personalize(email, delivery, url)
        prepared.append((f"{delivery.name} <{delivery.address}>", text, html, headers(email, url)))
    return email.subject, prepared


def _bare_loop(app, emails):
    """The baseline: Flask-Mail, one connection, one Message per recipient."""
    from flask_mail import Message

    from webapp.extensions import mail

    subject, prepared = emails
    sender, bounce = app.config["MAIL_DEFAULT_SENDER"], app.config["MAIL_BOUNCE_ADDRESS"]
    with mail.connect() as conn:
        for to, text, html, extra in prepared:
            message = Message(subject=subject, sender=sender, recipients=[to], body=text, html=html,
                              extra_headers=extra)
            conn.send(message, envelope_from=bounce)
    return len(prepared)


if __name__ == "__main__":
    sys.exit(main())
