"""An address change waiting for its confirmation: the new address and the nonce its link names

Revision ID: d8e2f4a6b1c3
Revises: b3f1d2e4c6a8
Create Date: 2026-12-01 05:00:00

The link sent to a new address named the old and the new address, readable by
anyone who saw it (base64). It now names a nonce stored with the person.
Plain ADD COLUMN, no batch: on SQLite a rebuilt person table would lose the
search triggers (see b3f1d2e4c6a8).
"""
import sqlalchemy as sa
from alembic import op


revision = 'd8e2f4a6b1c3'
down_revision = 'b3f1d2e4c6a8'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('person', sa.Column('new_email', sa.String(length=254), nullable=True))
    op.add_column('person', sa.Column('new_email_nonce', sa.String(length=32), nullable=True))


def downgrade():
    op.drop_column('person', 'new_email_nonce')
    op.drop_column('person', 'new_email')
