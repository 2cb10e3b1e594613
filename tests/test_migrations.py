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
