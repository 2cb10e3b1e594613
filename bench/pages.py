"""The list pages' time as the lists grow: 1,000, 10,000 and 100,000 memberships.

    python -m bench.pages [--sizes 1000 10000 100000] [--repeat 7]
                          [--database-url postgresql+psycopg://.../coalition_bench]

It builds a database for each size (`bench/pages_data.py` says what is in it:
N memberships, and as many audit rows and deliveries); on PostgreSQL one
schema per size in the database given, whose name must contain 'bench' (those
schemas are emptied). Then, in this process with Flask's test client and
signed in as staff, it requests each page once per size to warm up and
`--repeat` times more, the sizes taking turns so that whatever else the machine
is doing weighs on each alike, and keeps each median. It prints a table: each
page's time at each size, the ratio of the largest size's to the smallest's
(the target is at most 1.5), and how many SQL queries the page ran (one figure
when it is the same at every size). Then the roster CSV at each size: the time
to its first piece, to its last, and the most memory Python held writing it.
"""
import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc

import sqlalchemy as sa

from bench.send import app_for, database_url

SIZES = (1_000, 10_000, 100_000)
ROSTER = "/groups/defensive-support/roster"


def pages(marks):
    """(label, path) of each page timed; `marks` gives the cursors of the roster's late pages (roster_marks)."""
    return [
        ("roster", ROSTER),
        *((f"roster, {tab}", f"{ROSTER}?tab={tab}") for tab in ("pending", "left", "removed", "declined",
                                                                 "bouncing")),
        ("roster, search", f"{ROSTER}?q=castillo"),
        ("roster, by organization", f"{ROSTER}?sort=organization"),
        ("roster, by organization, middle", f"{ROSTER}?sort=organization&after={marks['organization']}"),
        ("roster, by date, newest", f"{ROSTER}?sort=date&order=desc"),
        ("roster, page 90% in", f"{ROSTER}?after={marks['90%']}"),
        ("roster, middle page", f"{ROSTER}?after={marks['middle']}"),
        ("roster, last page", f"{ROSTER}?before=end"),
        ("review, all groups", "/review"),
        ("review, one group", "/groups/defensive-support/review"),
        ("messages", "/messages/"),
        ("staff audit", "/staff/audit"),
        ("staff organizations", "/staff/organizations"),
        ("staff mail", "/staff/mail"),
        ("staff suppressions", "/staff/suppressions"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", help="PostgreSQL database to use; its name must contain 'bench' "
                                               "(a schema per size is emptied in it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        url = database_url(args.database_url, tmp)
        clients = {}
        for size in args.sizes:
            started = time.perf_counter()
            clients[size] = prepare(url, size, tmp)
            print(f"{size:,} memberships built in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})",
                  flush=True)
        print()
        print(table(measure(clients, args.repeat)))
        print()
        for size, (app, client) in clients.items():
            export = measure_export(client)
            print(f"roster CSV, {export['rows']:,} rows (of {size:,} memberships): first piece "
                  f"{export['first_ms']:.1f} ms, all {export['seconds']:.2f} s, peak Python memory "
                  f"{export['peak_mb']:.1f} MB")
    return 0


def prepare(url, size, tmp):
    """A fresh database (SQLite) or schema (PostgreSQL) with `size` memberships; (the app on it, a staff client)."""
    from flask_migrate import upgrade

    from bench import pages_data
    from webapp.extensions import db

    # The pages made afresh each time: a kept page (webapp/signed_in_pages.py) would time the cache.
    settings = {"RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "KEEP_SIGNED_IN_PAGES": False}
    if url.startswith("sqlite:"):
        url = f"sqlite:///{tmp}/pages-{size}.db"
    else:
        schema = f"bench_pages_{size}"
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True,
                                                 "connect_args": {"options": f"-csearch_path={schema}"}}
    app = app_for(url, **settings)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        upgrade()
        pages_data.build(size)
    client = app.test_client()
    response = client.post("/login", data={"email": "staff@example.org", "password": "bench-password-1"})
    assert response.status_code == 302, "the bench's staff could not sign in"
    return app, client


def roster_marks(app):
    """The membership ids a user following Next would give as ?after= to reach the middle of the active tab
    and 90% of the way in, by name, and the middle by organization."""
    from webapp.extensions import db
    from webapp.groups.models import WorkingGroup
    from webapp.membership.models import Membership, Person, Status
    from webapp.organizations.models import Organization

    with app.app_context():
        here = sa.select(Membership.id).join(WorkingGroup, WorkingGroup.id == Membership.group_id).where(
            WorkingGroup.slug == "defensive-support", Membership.status == Status.ACTIVE)
        by_name = db.session.scalars(here.join(Person, Person.id == Membership.person_id)
                                     .order_by(sa.func.lower(Person.name), Person.id)).all()
        by_org = db.session.scalars(here.outerjoin(Organization, Organization.id == Membership.organization_id)
                                    .order_by(Organization.name_key.is_(None), Organization.name_key,
                                              Membership.id)).all()
    middle = len(by_name) // 100 * 50  # the last member of a page, as the Next links give
    return {"middle": by_name[middle - 1], "90%": by_name[len(by_name) * 9 // 500 * 50 - 1],
            "organization": by_org[middle - 1]}


def measure(clients, repeat):
    """{size: {label: (median ms, queries)}} for each page."""
    from webapp.extensions import db

    paths = {size: dict(pages(roster_marks(app))) for size, (app, _) in clients.items()}
    figures = {size: {} for size in clients}
    for label in paths[min(clients)]:
        times = {size: [] for size in clients}
        queries = {}
        for size, (app, client) in clients.items():
            path = paths[size][label]
            assert client.get(path).status_code == 200, path  # warm: templates compiled, statements cached
            with app.app_context():
                engine = db.engine
            queries[size] = count_queries(engine, lambda: client.get(path).get_data())
        for _ in range(repeat):
            for size, (app, client) in clients.items():
                started = time.perf_counter()
                client.get(paths[size][label]).get_data()
                times[size].append((time.perf_counter() - started) * 1000)
        for size in clients:
            figures[size][label] = (statistics.median(times[size]), queries[size])
    return figures


def count_queries(engine, fn):
    statements = []

    def listener(*args):
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def measure_export(client):
    started = time.perf_counter()
    response = client.get(f"{ROSTER}.csv")
    pieces = iter(response.response)
    first = next(pieces)
    first_ms = (time.perf_counter() - started) * 1000
    lines = first.count(b"\n") + sum(piece.count(b"\n") for piece in pieces)
    seconds = time.perf_counter() - started
    response.close()
    tracemalloc.start()
    response = client.get(f"{ROSTER}.csv")
    for _ in response.response:
        pass
    response.close()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"rows": lines - 1, "first_ms": first_ms, "seconds": seconds, "peak_mb": peak / 2**20}


def _short(size):
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def table(figures):
    sizes = list(figures)
    small, large = sizes[0], sizes[-1]
    header = ["page"] + [f"{size:,}" for size in sizes] + [f"{_short(large)}/{_short(small)}", "queries"]
    rows = []
    for label in figures[small]:
        times = [figures[size][label][0] for size in sizes]
        queries = sorted({figures[size][label][1] for size in sizes})
        rows.append([label] + [f"{t:.1f} ms" for t in times] + [f"{times[-1] / times[0]:.2f}",
                                                                  "/".join(map(str, queries))])
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in [header] + rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
