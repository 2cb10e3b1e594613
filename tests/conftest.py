import contextlib
import os
import re
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from config import TestConfig
from tests.smtp_sink import SMTPSink
from webapp import create_app
from webapp.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _database_url(tmp_root):
    return PG_URL or f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def tmp_root():
    with tempfile.TemporaryDirectory(prefix="coalition-tests-") as path:
        yield Path(path)


@pytest.fixture(scope="session")
def database_url(tmp_root):
    """An empty database upgraded to head through the Alembic migrations, once per run."""
    from flask_migrate import upgrade

    url = _database_url(tmp_root)
    app = create_app(_config(url, 0))
    with app.app_context():
        _drop_everything()
        upgrade()
        db.engine.dispose()
    return url


def _drop_everything():
    # A clean slate on PostgreSQL, where the database outlives the run.
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))


def _config(url, mail_port, **extra):
    attrs = {"SQLALCHEMY_DATABASE_URI": url, "MAIL_PORT": mail_port, **extra}
    return type("Config", (TestConfig,), attrs)


@pytest.fixture(scope="session")
def smtp_server():
    sink = SMTPSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mailbox(smtp_server):
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def config_overrides():
    """Tests override settings by asking for this fixture and updating the dict."""
    return {}


@pytest.fixture
def app(database_url, smtp_server, config_overrides):
    app = create_app(_config(database_url, smtp_server.port, **config_overrides))
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables():
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def deliver(app):
    """Run the delivery worker until nothing is due, as `flask deliver --once` does."""
    from webapp.outbox.worker import Worker

    def run(name="test-worker"):
        # Its own app context, hence its own session, as a separate worker process has.
        with app.app_context():
            return Worker(name=name).run(once=True)

    return run


class Factory:
    def __init__(self, app):
        self.app = app
        self.count = 0

    def user(self, name="Casey Contact", email=None, password="correct horse battery", role="contact"):
        from webapp.accounts.services import create_user

        self.count += 1
        email = email or f"user{self.count}@example.org"
        return create_user(email=email, name=name, password=password, role=role)

    def group(self, slug="defensive-support", name="Defensive Support", contacts=(), policy="moderated", active=True):
        from webapp.groups.models import JoinPolicy, WorkingGroup
        from webapp.groups.services import set_contacts

        group = WorkingGroup(slug=slug, name=name, summary=f"{name} summary", description=f"About {name}.",
                             accomplishments="First thing\nSecond thing", join_policy=JoinPolicy(policy),
                             active=active)
        db.session.add(group)
        db.session.flush()
        set_contacts(group, list(contacts))
        db.session.commit()
        return group

    def member(self, group, name=None, email=None, status="active", organization=None):
        """A membership in a given status, made through the model (no emails)."""
        from webapp.db_types import utcnow
        from webapp.membership.models import Membership, MembershipEvent, Person, Status
        from webapp.organizations.services import find_or_create

        self.count += 1
        email = email or f"member{self.count}@example.org"
        person = db.session.scalar(sa.select(Person).where(Person.email == email))
        if person is None:
            person = Person(name=name or f"Member {self.count}", email=email)
        membership = Membership(person=person, group=group, status=Status(status), consented_at=utcnow(),
                                joined_at=utcnow() if status == "active" else None,
                                organization=find_or_create(organization) if organization else None)
        membership.events = [MembershipEvent(actor_label="test", to_status=Status(status))]
        db.session.add(membership)
        db.session.commit()
        return membership


@pytest.fixture
def make(app):
    return Factory(app)


def login(client, email, password="correct horse battery"):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def links_in(text):
    return re.findall(r"https?://\S+", text)


@contextlib.contextmanager
def recorded_statements():
    """`with recorded_statements() as seen:` fills `seen` with the (SQL, parameters) the block runs."""
    seen = []

    def listener(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


@pytest.fixture
def count_queries(app):
    """count_queries(fn) -> how many SQL statements fn() ran."""
    def run(fn):
        # A fresh app context, as each real request has: nothing cached from the last one.
        with recorded_statements() as seen, app.app_context():
            fn()
        return len(seen)

    return run


def membership_of(group, address):
    from webapp.membership.models import Membership, Person

    db.session.expire_all()
    return db.session.scalar(
        sa.select(Membership).join(Person).where(Person.email == address, Membership.group_id == group.id)
    )
