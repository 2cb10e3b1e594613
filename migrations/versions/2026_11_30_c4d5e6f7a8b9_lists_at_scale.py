"""Working with real lists: the indexes that rosters, tabs, search and the review queue need; contacts' email choices

Revision ID: c4d5e6f7a8b9
Revises: 8c3f6b2e9d10
Create Date: 2026-11-30 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d5e6f7a8b9'
down_revision = '8c3f6b2e9d10'
branch_labels = None
depends_on = None


def upgrade():
    _list_indexes()
    _contact_email_choices()


def downgrade():
    _drop_contact_email_choices()
    _drop_list_indexes()


# -- the rosters' and lists' indexes ------------------------------------------

def _list_indexes():
    # Measured with `make bench-pages` (README): without them a roster page sorts the whole tab.
    with op.batch_alter_table('person', schema=None) as batch_op:
        # Name order: a page walks this index and reads only the people it shows.
        batch_op.create_index('ix_person_name', [sa.text('lower(name)'), 'id'], unique=False)
    with op.batch_alter_table('membership', schema=None) as batch_op:
        # The tabs' counts, a tab by join date and a tab by organization read this index alone; it
        # starts with group_id, so it also does what ix_membership_group_id did.
        batch_op.create_index('ix_membership_roster',
                              ['group_id', 'status', 'joined_at', 'organization_id', 'person_id'], unique=False)
        batch_op.drop_index('ix_membership_group_id')
        # A search by organization name: the memberships of the organizations that match.
        batch_op.create_index('ix_membership_organization', ['organization_id', 'group_id'], unique=False)


def _drop_list_indexes():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_organization')
        batch_op.create_index('ix_membership_group_id', ['group_id'], unique=False)
        batch_op.drop_index('ix_membership_roster')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('ix_person_name')


# -- what email each contact gets ---------------------------------------------

def _contact_email_choices():
    # Each contact's choice of the per-request emails (the daily reminder goes regardless).
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_emails', sa.Boolean(), server_default=sa.true(), nullable=False))
    # The contact named publicly, chosen by staff; until now it was the first by position.
    with op.batch_alter_table('group_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.text(
        "UPDATE group_contact SET listed = :yes WHERE user_id = ("
        " SELECT earliest.user_id FROM group_contact AS earliest WHERE earliest.group_id = group_contact.group_id"
        " ORDER BY earliest.position, earliest.user_id LIMIT 1)"
    ).bindparams(sa.bindparam('yes', True, type_=sa.Boolean())))
    with op.batch_alter_table('group_contact', schema=None) as batch_op:
        batch_op.create_index('uq_group_contact_listed', ['group_id'], unique=True,
                              sqlite_where=sa.text('listed'), postgresql_where=sa.text('listed'))
    # The review queue: the pending requests of some groups, longest waiting first, and their counts.
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index('ix_membership_review', ['status', 'group_id', 'status_changed_at'], unique=False)


def _drop_contact_email_choices():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_review')
    with op.batch_alter_table('group_contact', schema=None) as batch_op:
        batch_op.drop_index('uq_group_contact_listed')
        batch_op.drop_column('listed')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('request_emails')
