"""cover_year_view: instant_payment_days (即时参保划款期限)

The instant notices print billing's pay-by; when an event has none, N days after the submission
or JB batch (docs/decisions/0018-instant-pay-by.md). Years recorded before get the default, 15.

Revision ID: e7b4c2d9a018
Revises: 79782c6056ee
Create Date: 2026-12-03 08:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e7b4c2d9a018'
down_revision = '79782c6056ee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cover_year_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instant_payment_days', sa.Integer(), server_default='15', nullable=False))


def downgrade():
    with op.batch_alter_table('cover_year_view', schema=None) as batch_op:
        batch_op.drop_column('instant_payment_days')
