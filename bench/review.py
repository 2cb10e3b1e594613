"""The review queue's time as memberships grow and the pending requests stay the same.

    python -m bench.review [--memberships 10000 200000] [--pending 300]
                           [--database-url postgresql+psycopg://.../coalition_bench]

For each size it builds a fresh database: three working groups, N memberships
in every other status (active, left, declined, removed, unconfirmed) spread over
them, and the same number of pending requests at every size. Then it times,
through the test client as a signed-in user, the pages that read the queue:
/review (staff, every group), /groups/<slug>/review (its contact) and
/dashboard (the counts). The fastest of 50 requests each; the last line is
the largest size's /review time over the smallest's, which stays near 1 because
ix_membership_review (status, group_id, status_changed_at) hands the queries
the pending rows alone (tests/membership/test_review_queue.py checks the
plan on both engines).
"""
import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

SIZES = (10_000, 200_000)
PAGES = ("/review", "/groups/defensive-support/review", "/dashboard")
RUNS = 50
OTHER_STATUSES = ("active", "active", "active", "left", "declined", "removed", "unconfirmed")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--memberships", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--pending", type=int, default=300)
    parser.add_argument("--database-url", help="PostgreSQL database to use; its name must contain 'bench' "
                                               "(it is emptied)")
    args = parser.parse_args()
    if args.database_url and "bench" not in args.database_url.rsplit("/", 1)[-1]:
        sys.exit("refusing to empty a database whose name does not contain 'bench'")
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        figures = {}
        for size in args.memberships:
            app = build(url, size, args.pending)
            measure(app)  # a first round warms the process (the first size would pay for it alone)
            figures[size] = measure(app)
            print(line(size, args.pending, figures[size]))
        small, large = min(figures), max(figures)
        print(f"review {large // 1000}k/{small // 1000}k = {figures[large]['/review'] / figures[small]['/review']:.2f}")
    return 0


def build(url, size, pending):
    """A migrated, empty database with `size` memberships besides `pending` pending requests; the app."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from config import Config
    from webapp import create_app
    from webapp.accounts.services import create_user
    from webapp.db_types import utcnow
    from webapp.extensions import db
    from webapp.groups.models import JoinPolicy, WorkingGroup
    from webapp.groups.services import set_contacts
    from webapp.membership.models import Membership, Person

    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):  # a write-ahead log left beside a new file would be read into it
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    app = create_app(type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                                                     "RATELIMIT_ENABLED": False}))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        create_user(email="staff@example.org", name="Sam Staff", password="bench-password-1", role="staff")
        contact = create_user(email="dalia@example.org", name="Dalia Contact", password="bench-password-1")
        groups = [WorkingGroup(slug=slug, name=name, join_policy=JoinPolicy.MODERATED) for slug, name in (
            ("defensive-support", "Defensive Support"), ("youth-organizing", "Youth Organizing"),
            ("narrative-based-advocacy", "Narrative-Based Advocacy"))]
        db.session.add_all(groups)
        db.session.flush()
        set_contacts(groups[0], [contact])
        total = size + pending
        db.session.execute(sa.insert(Person), [{"name": f"Person {i}", "email": f"person{i:07d}@example.org"}
                                               for i in range(total)])
        people = db.session.scalars(sa.select(Person.id).order_by(Person.id)).all()
        now = utcnow()
        rows = [{"person_id": pid, "group_id": groups[i % 3].id, "status": OTHER_STATUSES[i % len(OTHER_STATUSES)],
                 "status_changed_at": now - timedelta(minutes=i)} for i, pid in enumerate(people[:size])]
        rows += [{"person_id": pid, "group_id": groups[i % 3].id, "status": "pending",
                  "status_changed_at": now - timedelta(hours=i)} for i, pid in enumerate(people[size:])]
        for start in range(0, len(rows), 5_000):
            chunk = rows[start:start + 5_000]
            db.session.execute(sa.insert(Membership), [{**row, "consented_at": now} for row in chunk])
        db.session.commit()
        with db.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))  # the planner's figures, as a database in use has them
        db.engine.dispose()
    return app


def measure(app):
    """{page: median seconds} for the staff's /review and /dashboard and the contact's group queue."""
    figures = {}
    for email, pages in (("staff@example.org", ("/review", "/dashboard")),
                         ("dalia@example.org", ("/groups/defensive-support/review",))):
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": "bench-password-1"}).status_code == 302
        for page in pages:
            assert client.get(page).status_code == 200
            for _ in range(5):
                client.get(page)  # warm: the first requests fill caches, on either side
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                client.get(page)
                times.append(time.perf_counter() - start)
            figures[page] = min(times)  # the least disturbed by whatever else the machine runs
    return figures


def line(size, pending, figures):
    timings = ", ".join(f"{page} {figures[page] * 1000:.1f} ms" for page in PAGES)
    return f"{size:,} memberships, {pending} pending: {timings}"


if __name__ == "__main__":
    sys.exit(main())
