"""Roster mail people can answer, schedule and check: reply-to, drafts and scheduled messages, tests, attachments

Revision ID: e7a1c93b5d20
Revises: a7c3e9f1d205
Create Date: 2026-11-30 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e7a1c93b5d20'
down_revision = "a7c3e9f1d205"
branch_labels = None
depends_on = None

STATUS = sa.Enum('draft', 'scheduled', 'started', 'cancelled', name='messagestatus', native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table('email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=400), server_default='', nullable=False))
    with op.batch_alter_table('message', schema=None) as batch_op:
        # Every message written before this had its deliveries queued at once: it has started.
        batch_op.add_column(sa.Column('status', STATUS, server_default='started', nullable=False))
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), server_default='', nullable=False))
        batch_op.add_column(sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_message_due', ['status', 'scheduled_for'], unique=False)
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    op.create_table('email_attachment',
    sa.Column('email_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_email_attachment_attachment_id_attachment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['email_id'], ['email.id'], name=op.f('fk_email_attachment_email_id_email'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('email_id', 'attachment_id', name=op.f('pk_email_attachment'))
    )
    op.create_table('message_attachment',
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_message_attachment_attachment_id_attachment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_message_attachment_message_id_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'attachment_id', name=op.f('pk_message_attachment'))
    )
    op.create_table('message_test',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('email_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['email_id'], ['email.id'], name=op.f('fk_message_test_email_id_email'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_message_test_message_id_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_test'))
    )
    with op.batch_alter_table('message_test', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_test_message_id'), ['message_id'], unique=False)


def downgrade():
    with op.batch_alter_table('message_test', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_test_message_id'))
    op.drop_table('message_test')
    op.drop_table('message_attachment')
    op.drop_table('email_attachment')
    op.drop_table('attachment')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_due')
        batch_op.drop_column('scheduled_for')
        batch_op.drop_column('reply_to')
        batch_op.drop_column('status')
    with op.batch_alter_table('email', schema=None) as batch_op:
        batch_op.drop_column('reply_to')
