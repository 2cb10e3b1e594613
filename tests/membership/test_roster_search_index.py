"""The roster's search by trigrams (PostgreSQL's pg_trgm, SQLite's FTS5): the same members as reading every row,
kept up to date as people change, and never a 500 whatever is typed."""
import pytest
import sqlalchemy as sa

from tests.membership.roster_helpers import names_on
from webapp.extensions import db
from webapp.membership import search

ROSTER = "/groups/defensive-support/roster"


@pytest.fixture
def group(signed_in_group):
    return signed_in_group


def found(client, term):
    response = client.get(ROSTER, query_string={"q": term})
    assert response.status_code == 200
    return names_on(response.get_data(as_text=True))


def test_a_renamed_or_deleted_person_is_found_by_what_they_are_now(client, make, group):
    rosa = make.member(group, name="Rosa Castillo-Granados", email="rosa@example.org")
    make.member(group, name="Ana Flores", email="ana@example.org")
    assert found(client, "castillo") == ["Rosa Castillo-Granados"]
    rosa.person.name = "Rosa Delgado"
    db.session.commit()
    assert found(client, "castillo") == [] and found(client, "DELGADO") == ["Rosa Delgado"]
    rosa.person.email = "rosa.delgado@example.net"
    db.session.commit()
    assert found(client, "example.net") == ["Rosa Delgado"] and found(client, "rosa@example.org") == []
    db.session.delete(rosa)
    db.session.delete(rosa.person)
    db.session.commit()
    assert found(client, "delgado") == [] and found(client, "flores") == ["Ana Flores"]


@pytest.mark.parametrize("term", ['"', 'a"b"c', "ros*", "NEAR(a b)", "x OR y", "'; --", "ro", "{name}: x", "é"])
def test_what_a_search_index_would_read_as_its_own_syntax_is_just_characters(client, make, group, term):
    make.member(group, name='Ros* "NEAR(a b)" x OR y', email="odd@example.org")
    assert found(client, term) in ([], ['Ros* "NEAR(a b)" x OR y'])
    assert found(client, "near(a b)") == ['Ros* "NEAR(a b)" x OR y']


def test_on_sqlite_a_search_of_three_characters_or_more_reads_the_trigram_table_not_every_person(app):
    with db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("the FTS5 table is SQLite's; PostgreSQL's indexes are checked in test_migrations")
        statement = search.people("castillo").compile(conn, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[3] for row in conn.execute(sa.text(f"EXPLAIN QUERY PLAN {statement}")))
    assert plan.startswith("SCAN person_search VIRTUAL TABLE INDEX 0:M"), plan  # M: by MATCH, in the index
