"""参保凭证: covers and their outcomes from enrollment's events, and the certificates issued

Revision ID: f2c9d4e6a042
Revises: b5d0e3a7c214
Create Date: 2026-12-07 23:59:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f2c9d4e6a042'
down_revision = 'b5d0e3a7c214'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cover_view',
        sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('member_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('cover_year', sa.Integer(), nullable=False),
        sa.Column('union_id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('cover_type', sa.String(length=4), nullable=False),
        sa.Column('mode', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('cover_start', sa.Date(), nullable=False),
        sa.Column('cover_end', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('submission_id', 'member_id', name=op.f('pk_cover_view')),
    )
    op.create_index('ix_cover_view_member_year', 'cover_view', ['member_id', 'cover_year'], unique=False)
    op.create_table(
        'cover_outcome_view',
        sa.Column('submission_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('batch_no', sa.String(length=30), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_cover_outcome_view')),
    )
    op.create_table(
        'certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('member_id', sa.BigInteger(), nullable=False),
        sa.Column('cover_year', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('union_id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('issued_by', sa.String(length=100), nullable=False),
        sa.Column('issued_role', sa.String(length=20), nullable=False),
        sa.Column('verified_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('last_verified_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_certificates_code_hash')),
    )
    op.create_index(op.f('ix_certificates_member_id'), 'certificates', ['member_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_certificates_member_id'), table_name='certificates')
    op.drop_table('certificates')
    op.drop_table('cover_outcome_view')
    op.drop_index('ix_cover_view_member_year', table_name='cover_view')
    op.drop_table('cover_view')
