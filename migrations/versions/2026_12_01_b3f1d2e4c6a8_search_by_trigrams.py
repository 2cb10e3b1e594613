"""The roster's search by trigrams: pg_trgm GIN indexes on PostgreSQL, an FTS5 trigram table on SQLite, so that
a substring is found without reading every row; the roster by organization reads an organization's members in a
tab in order; the bouncing tab reads the bounces alone

Revision ID: b3f1d2e4c6a8
Revises: 9a7e3c1d5b20
Create Date: 2026-12-01 01:50:00

Only on PostgreSQL, and only where the pg_trgm extension is available (it
ships with PostgreSQL's contrib, which most installations have) and can be
created by the migrating role: without it the search works as before, reading
every row, and this migration still succeeds. The indexes are not in the
models (SQLite has no such index); migrations/env.py and the models test
leave them out of the comparison (webapp.db_types.TRIGRAM_INDEXES).

On SQLite, person_search is an FTS5 table (tokenizer trigram, SQLite 3.34 or
later) holding each person's name and address under their id, kept by
triggers on person. Where FTS5 or its trigram tokenizer is missing it is not
made, and the search reads every person. A later migration that rebuilds
person on SQLite (batch_alter_table copies the table) drops these triggers
with the old table: it must make them again (SQLITE_TRIGGERS below).
"""
import sqlalchemy as sa
from alembic import op


revision = 'b3f1d2e4c6a8'
down_revision = "9a7e3c1d5b20"
branch_labels = None
depends_on = None

# name: (table, expression). An address is stored in lower case already; a name is searched as lower(name).
INDEXES = {
    "ix_person_name_trgm": ("person", "lower(name)"),
    "ix_person_email_trgm": ("person", "email"),
    "ix_organization_name_key_trgm": ("organization", "name_key"),
}


SQLITE_TRIGGERS = {
    "person_search_insert": "AFTER INSERT ON person BEGIN "
                            "INSERT INTO person_search (rowid, name, email) VALUES (new.id, new.name, new.email); END",
    "person_search_update": "AFTER UPDATE OF id, name, email ON person BEGIN "
                            "DELETE FROM person_search WHERE rowid = old.id; "
                            "INSERT INTO person_search (rowid, name, email) VALUES (new.id, new.name, new.email); END",
    "person_search_delete": "AFTER DELETE ON person BEGIN DELETE FROM person_search WHERE rowid = old.id; END",
}


def _sqlite_person_search(bind):
    try:
        bind.execute(sa.text("CREATE VIRTUAL TABLE person_search USING fts5(name, email, tokenize = 'trigram')"))
    except sa.exc.OperationalError:  # no FTS5, or no trigram tokenizer (SQLite before 3.34)
        return
    bind.execute(sa.text("INSERT INTO person_search (rowid, name, email) SELECT id, name, email FROM person"))
    for name, body in SQLITE_TRIGGERS.items():
        bind.execute(sa.text(f"CREATE TRIGGER {name} {body}"))


def _trigram_schema(bind):
    """Create pg_trgm if it is available and this role may; the schema that holds it, or None."""
    if not bind.scalar(sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")):
        return None
    try:
        with bind.begin_nested():  # a refusal (no privilege) must not abort the migration's transaction
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return None
    # Named with its schema: an extension made earlier may live in a schema not on this search_path.
    return bind.scalar(sa.text("SELECT quote_ident(n.nspname) FROM pg_extension e "
                               "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"))


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_organization')
        batch_op.create_index('ix_membership_organization', ['organization_id', 'group_id', 'status', 'id'],
                              unique=False)
    with op.batch_alter_table('suppression', schema=None) as batch_op:
        batch_op.create_index('ix_suppression_kind', ['kind', 'address'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_person_search(bind)
    schema = _trigram_schema(bind) if bind.dialect.name == "postgresql" else None
    if schema is None:
        return
    for name, (table, expression) in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) {schema}.gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS person_search")
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table('suppression', schema=None) as batch_op:
        batch_op.drop_index('ix_suppression_kind')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_organization')
        batch_op.create_index('ix_membership_organization', ['organization_id', 'group_id'], unique=False)
