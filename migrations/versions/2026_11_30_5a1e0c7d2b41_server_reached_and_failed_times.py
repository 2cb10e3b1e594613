"""The mail server's state as two times (last answer, last failure to connect) instead of a flag

A flag written by whichever worker spoke last flickered with several workers;
two times let the pages warn only when no worker has reached the server since a
failure.

Revision ID: 5a1e0c7d2b41
Revises: 1b9c9909833c
Create Date: 2026-11-30 19:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5a1e0c7d2b41'
down_revision = '1b9c9909833c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('worker_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reached_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('server_reachable')


def downgrade():
    with op.batch_alter_table('worker_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('server_reachable', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.drop_column('failed_at')
        batch_op.drop_column('reached_at')
