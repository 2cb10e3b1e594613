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
    pass


def _drop_list_indexes():
    pass


# -- what email each contact gets ---------------------------------------------

def _contact_email_choices():
    pass


def _drop_contact_email_choices():
    pass
