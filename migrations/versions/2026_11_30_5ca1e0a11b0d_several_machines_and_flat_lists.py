"""Several machines and flat lists: the workers' heartbeat; indexes for the list pages

Revision ID: 5ca1e0a11b0d
Revises: e7a1c93b5d20
Create Date: 2026-11-30 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5ca1e0a11b0d'
down_revision = "e7a1c93b5d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('worker_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
    # Measured with `make bench-pages` (README): staff's /review across groups and the messages list
    # sorted every pending request and every message for each page.
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('ix_membership_waiting', ['status', 'status_changed_at', 'id'], unique=False)
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_created', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_created')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_waiting')
    with op.batch_alter_table('worker_state', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
