"""The web process's Send: its time and peak memory as the roster grows.

    python -m bench.send [--members 10000 100000] [--database-url postgresql+psycopg://.../coalition_bench]

For each size it builds a fresh roster of N active members in two working
groups (every member in the first, a quarter of them in the second as well,
another quarter pending there), then, in a fresh process that creates the app
as the web process does, records its RSS, runs `mailing.services.send(...)` to
both groups and reports the time and the peak RSS. Memory stays flat when the
growth (peak minus RSS before) at the largest size is about that at the
smallest: the last line is their ratio. `bench.delivery` runs this too.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10_000, 100_000)
SUBJECT = "Hill visit on Tuesday"
BODY = ("Dear members,\n\nWe meet at the Capitol on **Tuesday at 10am**. Please bring:\n\n"
        "- your organization's one-page summary\n- two stories from young people in the backlog\n\n"
        "Thank you for everything you do.\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--database-url", help="PostgreSQL database to use; its name must contain 'bench' "
                                               "(it is emptied)")
    parser.add_argument("--phase", choices=["send"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        return _send_phase()
    with tempfile.TemporaryDirectory(prefix="bench-send-") as tmp:
        url = database_url(args.database_url, tmp)
        figures = {}
        for members in args.members:
            prepare_roster(url, members)
            figures[members] = measure_send(url, members)
            print(send_line(figures[members]))
        print(growth_line(figures))
    return 0


def database_url(requested, tmp):
    """The PostgreSQL database asked for (only one named for benchmarks), else a SQLite file in `tmp`."""
    if requested and "bench" not in requested.rsplit("/", 1)[-1]:
        sys.exit("refusing to empty a database whose name does not contain 'bench'")
    return requested or f"sqlite:///{tmp}/bench.db"


def app_for(url, **settings):
    from config import Config
    from webapp import create_app

    return create_app(type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, **settings}))


def prepare_roster(url, members):
    """An empty database with a staff user and `members` active people in two groups (see above)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from webapp.accounts.services import create_user
    from webapp.db_types import utcnow
    from webapp.extensions import db
    from webapp.groups.models import JoinPolicy, WorkingGroup
    from webapp.membership.models import Membership, Person, Status

    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):  # a write-ahead log left beside a new file would be read into it
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    app = app_for(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        create_user(email="staff@example.org", name="Sam Staff", password="bench-password-1", role="staff")
        groups = [WorkingGroup(slug=slug, name=name, summary="", description="", accomplishments="",
                               join_policy=JoinPolicy.MODERATED, active=True)
                  for slug, name in (("defensive-support", "Defensive Support"),
                                     ("youth-organizing", "Youth Organizing"))]
        db.session.add_all(groups)
        db.session.flush()
        db.session.execute(sa.insert(Person), [{"name": f"Member {i}", "email": f"member{i:06d}@example.org"}
                                               for i in range(members)])
        now = utcnow()
        people = db.session.scalars(sa.select(Person.id).where(Person.email.like("member%"))
                                    .order_by(Person.id)).all()
        rows = [{"person_id": pid, "group_id": groups[0].id, "status": Status.ACTIVE} for pid in people]
        rows += [{"person_id": pid, "group_id": groups[1].id,
                  "status": Status.ACTIVE if i % 4 == 0 else Status.PENDING}
                 for i, pid in enumerate(people) if i % 4 < 2]
        db.session.execute(sa.insert(Membership), [{**row, "consented_at": now, "joined_at": now} for row in rows])
        db.session.commit()
        db.engine.dispose()


def measure_send(url, members):
    """Send the message to the prepared roster in a fresh process; its figures."""
    env = {**os.environ, "DATABASE_URL": url}
    child = subprocess.run([sys.executable, "-m", "bench.send", "--phase", "send"], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    if child.returncode != 0:
        sys.exit(f"send failed:\n{child.stderr}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    if result["queued"] != members:
        sys.exit(f"send queued {result['queued']} deliveries, expected {members}")
    return result


def send_line(figures):
    return (f"send to {figures['queued']} members: {figures['seconds']:.2f} s, web process RSS "
            f"{figures['rss_before_mb']:.0f} MB before, peak {figures['peak_mb']:.0f} MB "
            f"(+{figures['growth_mb']:.1f} MB)")


def growth_line(figures):
    small, large = min(figures), max(figures)
    ratio = figures[large]["growth_mb"] / max(figures[small]["growth_mb"], 0.1)
    return f"send peak growth {large // 1000}k/{small // 1000}k = {ratio:.2f}"


def _send_phase():
    """In a fresh process, as the web process: one Send, timed, with RSS before and at peak."""
    import sqlalchemy as sa

    from webapp.accounts.models import User
    from webapp.extensions import db
    from webapp.groups.models import WorkingGroup
    from webapp.mailing import services as mailing
    from webapp.outbox.models import Delivery

    app = app_for(os.environ["DATABASE_URL"])
    with app.app_context(), app.test_request_context():
        staff = db.session.scalars(sa.select(User).where(User.email == "staff@example.org")).one()
        groups = db.session.scalars(sa.select(WorkingGroup).order_by(WorkingGroup.id)).all()
        mailing.render(SUBJECT, BODY, groups)  # templates compiled, as in a web process that has served pages
        before = _rss_mb("VmRSS")
        started = time.perf_counter()
        message = mailing.send(staff, SUBJECT, BODY, groups)
        seconds = time.perf_counter() - started
        peak = _rss_mb("VmHWM")
        queued = db.session.scalar(sa.select(sa.func.count()).where(Delivery.email_id == message.email_id))
    print(json.dumps({"queued": queued, "seconds": seconds, "rss_before_mb": before, "peak_mb": peak,
                      "growth_mb": peak - before}))
    return 0


def _rss_mb(field):
    # From /proc: VmHWM starts afresh at exec, where ru_maxrss would also count
    # the parent's peak from before the fork (the parent that built the roster).
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields[field].split()[0]) / 1024


if __name__ == "__main__":
    sys.exit(main())
