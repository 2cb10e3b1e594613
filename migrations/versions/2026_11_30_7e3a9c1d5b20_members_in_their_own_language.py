"""Members look after themselves, in their own language: link versions, group texts in Spanish,
users' language, roster footers per language

Revision ID: 7e3a9c1d5b20
Revises: c4d5e6f7a8b9
Create Date: 2026-11-30 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7e3a9c1d5b20'
down_revision = 'c4d5e6f7a8b9'
branch_labels = None
depends_on = None


def upgrade():
    # Links sent before this carry no version: they count as version 1 and keep working. Not in a batch:
    # SQLite would copy the table and lose ix_person_name, an index on an expression it cannot reflect.
    op.add_column('person', sa.Column('link_version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('working_group', schema=None) as batch_op:
        # The texts kept so far stay as they are, as the English ones; the Spanish start empty.
        batch_op.add_column(sa.Column('name_es', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('summary_es', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('description_es', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('accomplishments_es', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='', nullable=False))
    with op.batch_alter_table('email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('footers', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('email', schema=None) as batch_op:
        batch_op.drop_column('footers')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('working_group', schema=None) as batch_op:
        batch_op.drop_column('accomplishments_es')
        batch_op.drop_column('description_es')
        batch_op.drop_column('summary_es')
        batch_op.drop_column('name_es')
    op.drop_column('person', 'link_version')
