"""The schema comes from the Alembic migrations, and they agree with the models."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestConfig
from webapp import create_app
from webapp.db_types import TRIGRAM_INDEXES, compared_with_models
from webapp.extensions import db


# SQLite's reflection cannot read an index on an expression (ix_person_name, on lower(name)): Alembic
# compares it on PostgreSQL only, and the test below checks that SQLite has it.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrated_database_matches_the_models(app):
    # The session's database was created empty and upgraded to head by the migrations.
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": compared_with_models}), db.metadata)
    assert diff == []


def test_postgresql_finds_a_substring_by_trigrams_where_pg_trgm_can_be_made(app):
    with db.engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            pytest.skip("trigram indexes are PostgreSQL's")
        if not conn.scalar(sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")):
            pytest.skip("pg_trgm is not available here: the migration went on without it")
        found = set(conn.scalars(sa.text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'")))
    assert found == TRIGRAM_INDEXES


def test_the_indexes_on_expressions_are_there_on_every_engine(app):
    expected = {"ix_person_name": "lower("}
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            found = dict(conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")).all())
        else:
            found = dict(conn.execute(sa.text("SELECT indexname, indexdef FROM pg_indexes")).all())
    for name, expression in expected.items():
        assert expression in found.get(name, "").lower(), (name, found.get(name))


def test_upgrade_downgrade_upgrade_on_an_empty_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app(type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert db.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert "membership" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_addresses_that_unsubscribed_before_it_meant_leaving_leave_their_groups(tmp_path):
    import sqlalchemy as sa

    from webapp.membership.models import Membership

    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        upgrade(revision="5a1e0c7d2b41")
        now = "2026-11-01 10:00:00.000000"
        for statement in (
            "INSERT INTO working_group (id, slug, name, summary, description, accomplishments, join_policy, active,"
            f" created_at) VALUES (1, 'g', 'G', '', '', '', 'moderated', 1, '{now}')",
            f"INSERT INTO person (id, name, email, language, created_at) VALUES (1, 'Ben', 'ben@example.org', 'en', '{now}')",
            f"INSERT INTO person (id, name, email, language, created_at) VALUES (2, 'Ana', 'ana@example.org', 'en', '{now}')",
            *(f"INSERT INTO membership (id, person_id, group_id, status, role_title, note, confirm_nonce, requested_at,"
              f" decision_reason, status_changed_at) VALUES ({i}, {i}, 1, 'active', '', '', '', '{now}', '', '{now}')"
              for i in (1, 2)),
            f"INSERT INTO suppression (address, reason, created_at) VALUES ('ben@example.org', 'unsubscribed', '{now}')",
            f"INSERT INTO suppression (address, reason, created_at) VALUES ('ana@example.org', 'bounced: 550 5.1.1', '{now}')",
        ):
            db.session.execute(sa.text(statement))
        db.session.commit()
        upgrade()
        ben, ana = db.session.get(Membership, 1), db.session.get(Membership, 2)
        assert (ben.status, ana.status) == ("left", "active")
        assert [(e.from_status, e.to_status, e.actor_label) for e in ben.events] == \
            [("active", "left", "member, by unsubscribe link")]
        assert ben.status_changed_at.year >= 2026
        kinds = db.session.execute(sa.text("SELECT address, kind FROM suppression")).all()
        assert kinds == [("ana@example.org", "bounce")]
        db.session.remove()
        db.engine.dispose()


def test_the_contact_named_publicly_stays_the_first_one_and_contacts_keep_every_email(tmp_path):
    import sqlalchemy as sa

    from webapp.groups.models import WorkingGroup

    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        upgrade(revision="8c3f6b2e9d10")
        now = "2026-11-01 10:00:00.000000"
        for statement in (
            *(f"INSERT INTO user (id, email, name, password_hash, role, active, created_at) VALUES"
              f" ({i}, 'c{i}@example.org', 'Contact {i}', '', 'contact', 1, '{now}')" for i in (1, 2, 3)),
            *(f"INSERT INTO working_group (id, slug, name, summary, description, accomplishments, join_policy, active,"
              f" created_at) VALUES ({i}, 'g{i}', 'G{i}', '', '', '', 'moderated', 1, '{now}')" for i in (1, 2)),
            "INSERT INTO group_contact (group_id, user_id, position) VALUES (1, 1, 1), (1, 2, 0), (2, 3, 0)",
        ):
            db.session.execute(sa.text(statement))
        db.session.commit()
        upgrade()
        listed = db.session.execute(sa.text("SELECT group_id, user_id FROM group_contact WHERE listed")).all()
        assert sorted(listed) == [(1, 2), (2, 3)]
        assert db.session.get(WorkingGroup, 1).listed_contact.email == "c2@example.org"
        assert db.session.scalars(sa.text("SELECT request_emails FROM user")).all() == [1, 1, 1]
        db.session.remove()
        db.engine.dispose()
