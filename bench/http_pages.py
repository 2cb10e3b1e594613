"""Every page over HTTP, as a browser meets it: gunicorn (2 sync workers) driven by wrk, against a bare Flask app.

    python -m bench.http_pages [--sizes 1000,10000,100000] [--duration 3]
                               [--database-url postgresql+psycopg://.../coalition_bench]

For each size it builds a database (`bench/pages_data.py`: N memberships, eight
in ten in Defensive Support, and as many audit rows and deliveries; the groups
get the demo's descriptions), serves the app with gunicorn (2 sync workers,
APP_ENV=development, rate limits off, the request log on into a file) and a
one-route "hello" Flask app the same way, and drives each page with wrk (1
thread, 8 connections, --duration seconds). Signed-in pages carry a session
cookie (wrk's Lua script); the join POST carries a valid CSRF token and a new
address each time. It prints req/s, p50 and p99 for each page, the ratio of its
req/s to hello's and of its p99 to its p50; then, for the list pages, how much
slower each is at the largest size than at the smallest (req/s at the smallest
over req/s at the largest: the goal is 1.5 or less); and the roster CSV: rows,
seconds for the whole download, and how much the serving worker's peak memory
(VmHWM) grew.

The signed-in pages are driven twice: as served, where a page read again with
nothing written since comes from the cache (webapp/signed_in_pages.py), and by
a second server with KEEP_SIGNED_IN_PAGES=0, which makes each page afresh, as
the first read after any write does. Both get the flatness table.

On PostgreSQL one schema per size in the database given (whose name must contain
'bench'): those schemas are emptied.
"""
import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from bench.send import database_url

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
WRK = "/usr/bin/wrk"
SLUG = "defensive-support"
ROSTER = f"/groups/{SLUG}/roster"
PUBLIC = [("home", "/"), ("working groups", "/groups"), ("organizations", "/organizations"),
          ("group page (join form)", f"/groups/{SLUG}")]


def signed_in_pages(middle):
    """The signed-in pages; `middle` is the member whose Next link leads to the middle of the roster."""
    return [
        ("review, contact", "contact", "/review"),
        ("review, staff, all groups", "staff", "/review"),
        ("review, one group", "staff", f"/groups/{SLUG}/review"),
        ("roster page 1", "staff", ROSTER),
        *((f"roster, {tab}", "staff", f"{ROSTER}?tab={tab}") for tab in ("pending", "left", "bouncing")),
        ("roster, search", "staff", f"{ROSTER}?q=castillo"),
        ("roster, by organization", "staff", f"{ROSTER}?sort=organization"),
        ("roster, middle page", "staff", f"{ROSTER}?after={middle}"),
        ("roster, last page", "staff", f"{ROSTER}?before=end"),
        ("messages", "staff", "/messages/"),
        ("staff audit", "staff", "/staff/audit"),
        ("staff mail", "staff", "/staff/mail"),
        ("staff organizations", "staff", "/staff/organizations"),
        ("dashboard", "staff", "/dashboard"),
    ]


LISTS = ("review, contact", "review, staff, all groups", "review, one group", "roster page 1", "messages",
         "staff audit")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="memberships, comma-separated")
    parser.add_argument("--duration", type=float, default=3, help="seconds of wrk per page")
    parser.add_argument("--database-url", help="PostgreSQL database to use; its name must contain 'bench'")
    parser.add_argument("--csv-rows", type=int, default=0,
                        help="then time the roster CSV alone on a roster of at least this many active members")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        tmp = Path(tmp)
        url = database_url(args.database_url, tmp)
        engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        with Server(tmp, "bench.hello:app", {}) as hello:
            hello_figures = wrk(hello.url("/"), tmp / "hello.lua", "", args.duration)
        print(f"hello: {hello_figures['rps']:,.0f} req/s, p50 {hello_figures['p50']:.2f} ms, "
              f"p99 {hello_figures['p99']:.2f} ms ({engine}, gunicorn 2 workers, wrk 1 thread 8 connections, "
              f"{args.duration:g} s a page)\n", flush=True)
        results, exports, afresh = {}, {}, {}
        for size in sizes:
            started = time.perf_counter()
            size_url = prepare(url, size, tmp)
            print(f"== {size:,} memberships (built in {time.perf_counter() - started:.0f} s)", flush=True)
            env = {"DATABASE_URL": size_url, "APP_ENV": "development", "RATELIMIT_ENABLED": "0",
                   "SECRET_KEY": "bench-" + "k" * 40, "LOG_REQUESTS": "1"}
            with Server(tmp, "wsgi:app", env) as app:
                results[size], exports[size] = drive(app, tmp, size_url, args.duration, hello_figures)
            print("\n-- the signed-in pages made afresh for every request (KEEP_SIGNED_IN_PAGES=0), as after "
                  "any write", flush=True)
            with Server(tmp, "wsgi:app", {**env, "KEEP_SIGNED_IN_PAGES": "0"}) as app:
                afresh[size], _ = drive(app, tmp, size_url, args.duration, hello_figures, signed_in_only=True)
        print()
        print("Kept pages (read again with nothing written since):")
        print(flatness(results, sizes))
        print()
        print("Made afresh (the work each page does after a write):")
        print(flatness(afresh, sizes))
        print()
        for size in sizes:
            e = exports[size]
            print(f"roster CSV at {size:,}: {e['rows']:,} rows in {e['seconds']:.2f} s, first byte "
                  f"{e['first_ms']:.0f} ms, the worker's peak memory grew {e['grew_mb']:.1f} MB "
                  f"(to {e['peak_mb']:.0f} MB)")
        if args.csv_rows:
            print(csv_alone(url, tmp, args.csv_rows))
    return 0


def csv_alone(url, tmp, rows):
    """The roster CSV of a roster of at least `rows` active members (47.8 in 100 memberships are), over HTTP."""
    size = int(rows / 0.478) + 1
    size_url = prepare(url, size, tmp)
    env = {"DATABASE_URL": size_url, "APP_ENV": "development", "RATELIMIT_ENABLED": "0",
           "SECRET_KEY": "bench-" + "k" * 40, "LOG_REQUESTS": "1"}
    with Server(tmp, "wsgi:app", env) as app:
        _cookie, _token, opener = session_of(app, "staff@example.org")
        e = measure_export(app, opener)
    return (f"roster CSV alone ({size:,} memberships): {e['rows']:,} rows in {e['seconds']:.2f} s, first byte "
            f"{e['first_ms']:.0f} ms, the worker's peak memory grew {e['grew_mb']:.1f} MB (to {e['peak_mb']:.0f} MB)")


# -- the data ------------------------------------------------------------------

def prepare(url, size, tmp):
    """A fresh database (SQLite file) or schema (PostgreSQL) with `size` memberships; the URL the app uses."""
    from flask_migrate import upgrade

    from bench import pages_data
    from bench.send import app_for
    from webapp.demo import GROUPS
    from webapp.extensions import db
    from webapp.groups.models import WorkingGroup

    settings = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True}}
    if url.startswith("sqlite:"):
        url = f"sqlite:///{tmp}/http-{size}.db"
    else:
        schema = f"bench_http_{size}"
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
        with sa.create_engine(url.split("?")[0]).begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    app = app_for(url, **settings)
    with app.app_context():
        upgrade()
        pages_data.build(size)
        words = {slug: (summary, description, done) for slug, _, summary, description, done in GROUPS}
        for group in db.session.scalars(sa.select(WorkingGroup)):
            if group.slug in words:
                group.summary, group.description, group.accomplishments = words[group.slug]
        db.session.commit()
        db.engine.dispose()
    if not url.startswith("sqlite:"):
        # As a database in use is: vacuumed and analysed, so that autovacuum does not do it during the timing.
        with sa.create_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    return url


# -- the servers -----------------------------------------------------------------

class Server:
    """gunicorn with 2 sync workers on a free port, its log in `tmp`."""

    def __init__(self, tmp, target, env):
        self.tmp, self.target, self.env = tmp, target, env
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        log = open(self.tmp / f"gunicorn-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [GUNICORN, "--workers", "2", "--no-control-socket", "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", self.target],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=log)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.url("/healthz" if self.target == "wsgi:app" else "/"), timeout=2)
                return self
            except OSError:
                time.sleep(0.1)
        self.process.kill()
        sys.exit(f"{self.target} did not start: see {log.name}")

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def session_of(server, email=None, password="bench-password-1"):
    """(cookie header, CSRF token) of a visitor, signed in when `email` is given."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(server.url("/login" if email else f"/groups/{SLUG}")).read().decode()
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)
    if email:
        data = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
        opener.open(server.url("/login"), data=data).read()
        page = opener.open(server.url("/dashboard")).read().decode()
        assert "Log out" in page, f"{email} could not sign in"
    return "; ".join(f"{c.name}={c.value}" for c in jar), token, opener


# -- wrk ---------------------------------------------------------------------------

GET_SCRIPT = 'wrk.headers["Cookie"] = "{cookie}"\n'
JOIN_SCRIPT = """wrk.method = "POST"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
counter = 0
request = function()
  counter = counter + 1
  local body = "name=Bench+Joiner&email=join-{run}-" .. counter .. "%40example.org&consent=y&csrf_token={token}"
  return wrk.format(nil, nil, nil, body)
end
"""
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url, script_path, script, duration):
    script_path.write_text(script)
    out = subprocess.run([WRK, "-t1", "-c8", f"-d{duration:g}s", "--timeout", "20s", "--latency", "-s",
                          str(script_path), url], capture_output=True, text=True, check=True).stdout

    def latency(percent):
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(found.group(1)) * UNITS[found.group(2)] if found else float("nan")

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency(50) or float("nan"),
            "p99": latency(99), "bad": int(bad.group(1)) if bad else 0, "errors": errors.group(1) if errors else ""}


def drive(app, tmp, size_url, duration, hello, signed_in_only=False):
    staff_cookie, _, staff = session_of(app, "staff@example.org")
    contact_cookie, _, _ = session_of(app, "dalia@example.org")
    visitor_cookie, token, _ = session_of(app)
    # A visitor's browser sends back its session cookie (and so its CSRF token) after the first page.
    cookies = {"staff": staff_cookie, "contact": contact_cookie, "visitor": visitor_cookie}
    runs = []
    if not signed_in_only:
        runs = [(label, "visitor", path, GET_SCRIPT) for label, path in PUBLIC]
        runs.append(("join POST (new address each time)", "visitor", f"/groups/{SLUG}", JOIN_SCRIPT))
    runs += [(label, who, path, GET_SCRIPT) for label, who, path in signed_in_pages(_middle(size_url))]
    figures = {}
    print("| page | req/s | p50 ms | p99 ms | p99/p50 | of hello |")
    print("|---|---|---|---|---|---|")
    for label, who, path, script in runs:
        for _ in range(4):  # warm: each worker's templates, statements and cache
            if script is GET_SCRIPT:
                request = urllib.request.Request(app.url(path), headers={"Cookie": cookies[who]})
                urllib.request.urlopen(request).read()
        cookie = visitor_cookie if script is JOIN_SCRIPT else cookies[who]
        f = wrk(app.url(path), tmp / "page.lua",
                script.format(cookie=cookie, token=token, run=f"{time.time_ns():x}"), duration)
        figures[label] = f
        trouble = f" ({f['bad']} not 2xx/3xx)" if f["bad"] else ""
        trouble += f" (socket errors: {f['errors']})" if f["errors"] else ""
        print(f"| {label} | {f['rps']:,.1f} | {f['p50']:.2f} | {f['p99']:.2f} | {f['p99'] / f['p50'] if f['p50'] else float('nan'):.1f} | "
              f"{f['rps'] / hello['rps']:.3f}{trouble} |", flush=True)
    return figures, None if signed_in_only else measure_export(app, staff)


def _middle(url):
    """The id of the active member at the end of the roster's middle page, by name (a Next link's cursor)."""
    from webapp.membership.models import Membership, Person, Status

    with sa.create_engine(url).connect() as conn:
        ids = conn.scalars(sa.select(Membership.id).join(Person, Person.id == Membership.person_id).where(
            Membership.group_id == 1, Membership.status == Status.ACTIVE)
            .order_by(sa.func.lower(Person.name), Person.id)).all()
    return ids[max(len(ids) // 100 * 50 - 1, 0)] if ids else 1


def _peak_mb(pids):
    peaks = {}
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks[pid] = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    return peaks


def measure_export(app, opener):
    before = _peak_mb(app.workers())
    started = time.perf_counter()
    response = opener.open(app.url(f"{ROSTER}.csv"))
    first = response.read(1)
    first_ms = (time.perf_counter() - started) * 1000
    rows = first.count(b"\n")
    while chunk := response.read(1 << 16):
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    after = _peak_mb(app.workers())
    grew = max(after[pid] - before.get(pid, after[pid]) for pid in after)
    return {"rows": rows - 1, "seconds": seconds, "first_ms": first_ms, "grew_mb": grew, "peak_mb": max(after.values())}


def flatness(results, sizes):
    small, large = sizes[0], sizes[-1]
    lines = [f"| list page | req/s at {small:,} | req/s at {large:,} | slower by (goal <= 1.5) |", "|---|---|---|---|"]
    for label in [*LISTS, *(label for label in results[small] if label not in LISTS and "roster" in label)]:
        a, b = results[small][label]["rps"], results[large][label]["rps"]
        lines.append(f"| {label} | {a:,.1f} | {b:,.1f} | {a / b if b else float('inf'):.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
