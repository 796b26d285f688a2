"""id lookup days: a union's ID lookups per day and the quota's refusals (issue 14 item 6)

Revision ID: d4e8b2a6c1f3
Revises: c7a1e0f2d919
Create Date: 2026-12-03 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd4e8b2a6c1f3'
down_revision = 'c7a1e0f2d919'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'id_lookup_days',
        sa.Column('union_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('refusals', sa.Integer(), nullable=False),
        sa.Column('refused_rows', sa.Integer(), nullable=False),
        sa.Column('allowance', sa.Integer(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['union_id'], ['unions.id'], name=op.f('fk_id_lookup_days_union_id')),
        sa.PrimaryKeyConstraint('union_id', 'day', name=op.f('pk_id_lookup_days')))
    op.create_index('ix_id_lookup_days_day', 'id_lookup_days', ['day'], unique=False)


def downgrade():
    op.drop_index('ix_id_lookup_days_day', table_name='id_lookup_days')
    op.drop_table('id_lookup_days')
