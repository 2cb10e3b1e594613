"""What the hostile-input suite (tests/fuzz/) found, each kept as a plain test."""
import sqlalchemy as sa

from tests.conftest import login
from webapp.extensions import db
from webapp.outbox.models import Block


def test_a_block_posted_without_its_note_field_is_kept_with_an_empty_note(client, make):
    make.user(email="staff@example.org", role="staff")
    login(client, "staff@example.org")
    response = client.post("/staff/blocks", data={"pattern": "spam.example.com"})
    assert response.status_code == 302
    assert db.session.scalars(sa.select(Block.note)).all() == [""]
