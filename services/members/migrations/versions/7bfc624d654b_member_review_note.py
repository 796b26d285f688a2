"""member review note: why the district sent a new member back (会员审核 驳回)

Revision ID: 7bfc624d654b
Revises: b3153dbec0dc
Create Date: 2026-11-27 16:51:26.942768
"""
from alembic import op
import sqlalchemy as sa


revision = '7bfc624d654b'
down_revision = 'b3153dbec0dc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_note', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('review_note')
