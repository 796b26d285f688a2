"""cover year: instant_payment_days (即时参保划款期限)

An instant submission is paid to the district, and a JB batch to the centre, within this many days
(docs/decisions/0018-instant-pay-by.md). Years configured before get the default, 15.

Revision ID: d5e1a7c3f016
Revises: c41d7e2a9b10
Create Date: 2026-12-03 08:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd5e1a7c3f016'
down_revision = 'c41d7e2a9b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cover_year', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instant_payment_days', sa.Integer(), server_default='15', nullable=False))


def downgrade():
    with op.batch_alter_table('cover_year', schema=None) as batch_op:
        batch_op.drop_column('instant_payment_days')
