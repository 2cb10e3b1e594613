"""The schema comes from the Alembic migrations, and they agree with the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestConfig
from webapp import create_app
from webapp.extensions import db


def test_migrated_database_matches_the_models(app):
    # The session's database was created empty and upgraded to head by the migrations.
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


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
