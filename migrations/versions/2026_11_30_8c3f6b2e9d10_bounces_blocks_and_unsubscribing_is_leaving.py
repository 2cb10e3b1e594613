"""Bounces and their scores, staff blocks, the kind of each suppression; unsubscribes become leaving; an index for the message page

Before this, an unsubscribe put the address on the suppression list and left
every membership active. Those addresses now leave their groups, with a
history row saying why, and come off the suppression list, which keeps only
addresses that bounce and addresses staff block.

Revision ID: 8c3f6b2e9d10
Revises: 5a1e0c7d2b41
Create Date: 2026-11-30 20:10:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '8c3f6b2e9d10'
down_revision = '5a1e0c7d2b41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bounce',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('hard', 'soft', 'auto_reply', 'unparsed', name='bouncekind', native_enum=False, length=20), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('diagnostic', sa.Text(), nullable=False),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'], name=op.f('fk_bounce_delivery_id_delivery'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bounce'))
    )
    with op.batch_alter_table('bounce', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bounce_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_bounce_received_at'), ['received_at'], unique=False)
    op.create_table('bounce_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('last_counted_on', sa.Date(), nullable=True),
    sa.Column('last_diagnostic', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bounce_score')),
    sa.UniqueConstraint('address', name=op.f('uq_bounce_score_address'))
    )
    op.create_table('block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pattern', sa.String(length=254), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_block')),
    sa.UniqueConstraint('pattern', name=op.f('uq_block_pattern'))
    )
    with op.batch_alter_table('suppression', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('bounce', 'staff', name='suppressionkind', native_enum=False, length=20), nullable=False, server_default='bounce'))
    with op.batch_alter_table('suppression', schema=None) as batch_op:
        batch_op.alter_column('kind', server_default=None)
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_email_status_address', ['email_id', 'status', 'address'], unique=False)
    _unsubscribed_addresses_leave()


def _unsubscribed_addresses_leave():
    now = {"now": datetime.now(timezone.utc)}
    typed = sa.bindparam("now", type_=sa.DateTime(timezone=True))
    unsubscribed = ("SELECT p.id FROM person p JOIN suppression s ON s.address = p.email "
                    "WHERE s.reason = 'unsubscribed'")
    op.get_bind().execute(sa.text(
        "INSERT INTO membership_event (membership_id, created_at, actor_id, actor_label, from_status, to_status, reason) "
        "SELECT m.id, :now, NULL, 'member, by unsubscribe link', 'active', 'left', "
        "'unsubscribed before unsubscribing ended memberships' "
        f"FROM membership m WHERE m.status = 'active' AND m.person_id IN ({unsubscribed})").bindparams(typed), now)
    op.get_bind().execute(sa.text(
        f"UPDATE membership SET status = 'left', status_changed_at = :now "
        f"WHERE status = 'active' AND person_id IN ({unsubscribed})").bindparams(typed), now)
    op.get_bind().execute(sa.text("DELETE FROM suppression WHERE reason = 'unsubscribed'"))


def downgrade():
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_email_status_address')
    with op.batch_alter_table('suppression', schema=None) as batch_op:
        batch_op.drop_column('kind')
    op.drop_table('block')
    op.drop_table('bounce_score')
    with op.batch_alter_table('bounce', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bounce_received_at'))
        batch_op.drop_index(batch_op.f('ix_bounce_address'))
    op.drop_table('bounce')
