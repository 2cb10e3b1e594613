"""The delivery worker against a bare Flask-Mail loop, sending the same roster email.

    python -m bench.delivery [--members 10000] [--database-url postgresql+psycopg://.../coalition_bench]

It builds a roster of N active members (as `bench.send` does: two working
groups that overlap), writes one roster message to it with the Send of the
message page, in a fresh process (N deliveries), then, each in a fresh process
and against its own fresh aiosmtpd sink process:

  worker  `Worker().run(once=True)`, what `flask deliver --once` runs: claims,
          leases, per-recipient footer and headers, results written back;
  bare    the same N emails (bodies, footers and headers prepared beforehand,
          outside the timing) sent with Flask-Mail's Message and
          mail.connect().send() over one connection, and nothing written.

It prints messages per second for both and the worker's peak RSS; then the
Send's time and the web process's peak RSS at 10,000 and 100,000 members
(`bench.send`, on a roster built afresh for each size) and how much more the
memory grew at the larger size than at the smaller (about 1 when flat); and
last `worker/bare = R`. The default database is a fresh SQLite file.
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

from bench.send import SIZES, app_for, database_url, growth_line, measure_send, prepare_roster, send_line

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url", help="PostgreSQL database to use; its name must contain 'bench' "
                                               "(it is emptied)")
    parser.add_argument("--send-members", type=int, nargs="+", default=list(SIZES),
                        help="the roster sizes to time the Send at (default: %(default)s)")
    parser.add_argument("--phase", choices=["worker", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        return _phase(args.phase)
    with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
        url = database_url(args.database_url, tmp)
        started = time.perf_counter()
        prepare_roster(url, args.members)
        sends = {args.members: measure_send(url, args.members)}
        print(f"roster of {args.members} members, one message queued ({url.split(':')[0]}), "
              f"in {time.perf_counter() - started:.1f} s")
        worker = _run("worker", url, args.members)
        print(f"worker: {worker['sent']} sent in {worker['seconds']:.2f} s = {worker['rate']:.0f} msgs/s, "
              f"peak RSS {worker['rss_mb']:.0f} MB")
        bare = _run("bare", url, args.members)
        print(f"bare Flask-Mail loop: {bare['sent']} sent in {bare['seconds']:.2f} s = {bare['rate']:.0f} msgs/s")
        for members in sorted({args.members, *args.send_members}):
            if members not in sends:
                prepare_roster(url, members)
                sends[members] = measure_send(url, members)
            print(send_line(sends[members]))
        if len(args.send_members) > 1:
            print(growth_line({members: sends[members] for members in args.send_members}))
        print(f"worker/bare = {worker['rate'] / bare['rate']:.2f}")
    return 0


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

    app = app_for(os.environ["DATABASE_URL"], MAIL_PORT=int(os.environ["MAIL_PORT"]))
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
        url = services.unsubscribe_url(delivery.id)
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
