"""submission amounts from billing; no rate read model

Billing is the one source of every amount (decision 0015): a submission carries the figures of
billing.submission.priced, and enrollment no longer keeps per-person rates to multiply itself.

Revision ID: c41d7e2a9b10
Revises: 85aea3b51816
Create Date: 2026-12-03 08:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c41d7e2a9b10'
down_revision = '85aea3b51816'
branch_labels = None
depends_on = None

PARTS = ("premium_fen", "city_subsidy_fen", "district_share_fen", "grassroots_share_fen")


def upgrade():
    with op.batch_alter_table('submission') as batch:
        for part in PARTS:
            batch.add_column(sa.Column(part, sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('pay_by', sa.Date(), nullable=True))
    op.drop_table('rate_view')


def downgrade():
    op.create_table('rate_view',
    sa.Column('cover_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('district_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('union_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('type', sa.String(length=4), nullable=False),
    sa.Column('price_class', sa.String(length=30), nullable=False),
    sa.Column('premium_fen', sa.BigInteger(), nullable=False),
    sa.Column('city_subsidy_fen', sa.BigInteger(), nullable=False),
    sa.Column('district_share_fen', sa.BigInteger(), nullable=False),
    sa.Column('grassroots_share_fen', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('cover_year', 'district_id', 'union_id', 'type', 'price_class', name='pk_rate_view'))
    with op.batch_alter_table('submission') as batch:
        for part in (*PARTS, 'pay_by'):
            batch.drop_column(part)
