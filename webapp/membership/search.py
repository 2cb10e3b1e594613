"""Finding people and organizations by part of a name or an address, as the roster's search does.

PostgreSQL reads pg_trgm trigram indexes (GIN, on lower(name), email and the
organization's name_key); SQLite an FTS5 table of people's names and addresses
with the trigram tokenizer (person_search, kept by triggers on person). Both
come from migration b3f1d2e4c6a8 and only where the engine can make them:
without them, and on SQLite for fewer than three characters (a trigram index
holds no shorter piece), every row is read.
"""
import sqlalchemy as sa

from webapp.extensions import db, database_key
from webapp.membership.models import Person
from webapp.organizations.models import Organization

_person_search = sa.table("person_search", sa.column("rowid"))
_has_person_search = {}  # {database key: bool}, asked once per process


def contains(column, term):
    """`column` holds `term` (% and _ stand for themselves). The pattern is made here, whole, so that
    PostgreSQL plans it with the trigram indexes where they exist."""
    escaped = term.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return column.like(f"%{escaped}%", escape="/")


def _sqlite_index_ready():
    key = database_key()
    if key not in _has_person_search:
        _has_person_search[key] = bool(db.session.scalar(sa.text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'person_search'")))
    return _has_person_search[key]


def people(term):
    """A SELECT of the ids of the people whose name (in any case) or address contains `term` (lower case)."""
    if db.engine.dialect.name == "sqlite" and len(term) >= 3 and _sqlite_index_ready():
        phrase = '"' + term.replace('"', '""') + '"'  # one phrase: the term as a substring, quotes and all
        return sa.select(_person_search.c.rowid).where(sa.text("person_search MATCH :phrase").bindparams(
            phrase=phrase))
    return sa.select(Person.id).where(sa.or_(contains(sa.func.lower(Person.name), term), contains(Person.email, term)))


def organizations(term):
    """A SELECT of the ids of the organizations whose name contains `term` (lower case, single spaces)."""
    return sa.select(Organization.id).where(contains(Organization.name_key, term))
