"""cover_year_view: instant_payment_days (即时参保划款期限)

Billing prices instant submissions and JB batches with a pay-by this many days after they were
submitted (docs/decisions/0018-instant-pay-by.md). Years recorded before get the default, 15.

Revision ID: a3f08e61c2d4
Revises: ae29770bd1b0
Create Date: 2026-12-03 08:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a3f08e61c2d4'
down_revision = 'ae29770bd1b0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cover_year_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instant_payment_days', sa.Integer(), server_default='15', nullable=False))


def downgrade():
    with op.batch_alter_table('cover_year_view', schema=None) as batch_op:
        batch_op.drop_column('instant_payment_days')
