# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := APP_ENV=development FLASK_APP=wsgi.py $(VENV)/bin/flask
PG_TEST_DB ?= coalition_test
# Compiled catalogs are build output (not in git): every target that runs the app builds them first.
MO := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: run test test-sqlite test-postgres messages bench-delivery bench-pages bench-pages-inprocess screenshots clean

$(VENV)/.installed: requirements.txt requirements-test.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt -r requirements-test.txt
	touch $@

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(VENV)/bin/pybabel compile -d translations -l $*

# Re-extract every marked string into translations/messages.pot and merge it into each .po;
# then translate what is new or fuzzy and commit the .po.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --project "Coalition Groups" \
		-o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations

# The app on SQLite, with its delivery worker and a local mail catcher (instance/mail/).
run: $(VENV)/.installed $(MO)
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@trap 'trap - INT TERM EXIT; kill 0' INT TERM EXIT; \
	echo "== mail catcher:  flask catch-mail on 127.0.0.1:8025, every email kept in instance/mail/new/"; \
	$(FLASK) catch-mail & sleep 1; \
	echo "== delivery worker: flask deliver, sends the outbox's email to the mail catcher"; \
	$(FLASK) deliver & \
	echo "== web server:    flask run on http://127.0.0.1:5000/groups   (Ctrl-C stops all three)"; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# The suite on SQLite, then on PostgreSQL when a server answers (REQUIRE_POSTGRES=1: it must).
test: test-sqlite test-postgres

test-sqlite: $(VENV)/.installed $(MO)
	$(PY) -m pytest

test-postgres: $(VENV)/.installed $(MO)
	@url=$$($(PY) -m tests.pgdb $(PG_TEST_DB)); \
	if [ -n "$$url" ]; then \
		echo "== the suite again on PostgreSQL ($$url)"; \
		TEST_DATABASE_URL=$$url $(PY) -m pytest || exit 1; \
	elif [ "$$REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but does not answer"; exit 1; \
	else \
		echo "== PostgreSQL does not answer: the PostgreSQL run was NOT done"; \
	fi

# The delivery worker against a bare Flask-Mail loop, then the web process's Send (time and peak
# memory) at 10,000 and 100,000 members: `make bench-delivery MEMBERS=50000`,
# BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/coalition_bench for PostgreSQL.
MEMBERS ?= 10000
bench-delivery: $(VENV)/.installed
	$(PY) -m bench.delivery --members $(MEMBERS) $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

# Every page over HTTP (gunicorn, 2 workers) driven by wrk, against a one-route Flask app served the same way,
# at 1,000, 10,000 and 100,000 memberships: req/s, p50, p99, the ratio to hello and the list pages' 1k->100k.
# Quicker: `make bench-pages SIZES=1000,10000 DURATION=2`; BENCH_DATABASE_URL as above for PostgreSQL.
SIZES ?= 1000,10000,100000
DURATION ?= 3
bench-pages: $(VENV)/.installed $(MO)
	$(PY) -m bench.http_pages --sizes $(SIZES) --duration $(DURATION) $(if $(CSV_ROWS),--csv-rows $(CSV_ROWS)) $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

# Each list page's time in-process (Flask's test client) and its SQL queries, at the same sizes.
bench-pages-inprocess: $(VENV)/.installed $(MO)
	$(PY) -m bench.pages $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL))

# The README's pictures: the browser tests save the main pages at desktop and phone sizes (needs chromium).
screenshots: $(VENV)/.installed $(MO)
	SCREENSHOTS=1 REQUIRE_BROWSER=1 $(PY) -m pytest tests/browser/test_phone.py -k screenshots
	@ls -l docs/screenshots/

clean:
	rm -rf $(VENV) instance $(MO)
