"""Column types shared by every feature's models."""
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone; PostgreSQL does. This makes both return the same thing.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(timezone.utc) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


def str_enum(enum_cls, length=20):
    """A portable enum column: a VARCHAR holding the enum's values."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def insert_for(engine):
    """INSERT with ON CONFLICT, which both engines have, in the dialect of `engine`."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


def aware_utc(value):
    """An aggregate's timestamp (min, max) as an aware UTC datetime: SQLite hands it back as naive text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


# The roster search's trigram indexes (migration b3f1d2e4c6a8): on PostgreSQL these pg_trgm indexes, on SQLite the
# FTS5 table person_search (and the tables FTS5 keeps it in). Each is made only where the engine can, so they are
# not in the models, and comparing the models with a database leaves them out.
TRIGRAM_INDEXES = frozenset({"ix_person_name_trgm", "ix_person_email_trgm", "ix_organization_name_key_trgm"})
SEARCH_TABLE = "person_search"


def compared_with_models(obj, name, type_, reflected, compare_to):
    """Alembic's include_object: everything but the trigram indexes and the search table."""
    if type_ == "index":
        return name not in TRIGRAM_INDEXES
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))
