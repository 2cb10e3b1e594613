"""On SQLite a commit does not wait for the disk: write-ahead log, synced at checkpoints (synchronous=NORMAL)."""
import pytest

from webapp.extensions import db


def test_sqlite_connections_write_ahead(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
