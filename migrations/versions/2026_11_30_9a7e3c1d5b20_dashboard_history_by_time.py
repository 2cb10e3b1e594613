"""The dashboard's figures: the membership history read by time

Revision ID: 9a7e3c1d5b20
Revises: a7e3c91b5d20
Create Date: 2026-11-30 22:20:00

"""
from alembic import op


revision = '9a7e3c1d5b20'
down_revision = "a7e3c91b5d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('membership_event', schema=None) as batch_op:
        # Joins and leaves of the last 30 days, members per month, time to decision: a range of this index,
        # which holds what they count, instead of every row of the history.
        batch_op.create_index('ix_membership_event_time',
                              ['created_at', 'membership_id', 'from_status', 'to_status'], unique=False)


def downgrade():
    with op.batch_alter_table('membership_event', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_event_time')
