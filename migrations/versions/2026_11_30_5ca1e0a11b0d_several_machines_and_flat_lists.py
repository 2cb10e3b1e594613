"""Several machines and flat lists: the workers' heartbeat; indexes for the list pages

Revision ID: 5ca1e0a11b0d
Revises: c4d5e6f7a8b9
Create Date: 2026-11-30 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5ca1e0a11b0d'
down_revision = 'c4d5e6f7a8b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('worker_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('worker_state', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
