"""A request to join keeps what it asked apart from the stored record until it is confirmed

Revision ID: a7e3c91b5d20
Revises: 5ca1e0a11b0d
Create Date: 2026-11-30 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7e3c91b5d20'
down_revision = "5ca1e0a11b0d"
branch_labels = None
depends_on = None

COLUMNS = (("request_name", sa.String(length=120)), ("request_organization", sa.String(length=200)),
           ("request_role_title", sa.String(length=120)), ("request_note", sa.Text()),
           ("request_language", sa.String(length=8)))


# Plain ALTER TABLE on both engines (SQLite drops a column itself since 3.35): a batch copy of the
# membership table would reflect the tables it points at, and SQLite cannot reflect ix_person_name.
def upgrade():
    for name, type_ in COLUMNS:
        op.add_column('membership', sa.Column(name, type_, nullable=False, server_default=''))


def downgrade():
    for name, _ in reversed(COLUMNS):
        op.drop_column('membership', name)
