"""durable, bounded uploads: the accepted file, the errors as rows, attempts (issue 17)

Revision ID: c7a1e0f2d919
Revises: 7bfc624d654b
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c7a1e0f2d919'
down_revision = '7bfc624d654b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('upload_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'upload_files',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['upload_jobs.id'], name=op.f('fk_upload_files_job_id')),
        sa.PrimaryKeyConstraint('job_id', name=op.f('pk_upload_files')))
    op.create_table(
        'upload_errors',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('row', sa.Integer(), nullable=False),
        sa.Column('column', sa.String(length=20), nullable=False),
        sa.Column('value', sa.String(length=60), nullable=False),
        sa.Column('message', sa.String(length=300), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('id_number', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['upload_jobs.id'], name=op.f('fk_upload_errors_job_id')),
        sa.PrimaryKeyConstraint('job_id', 'seq', name=op.f('pk_upload_errors')))


def downgrade():
    op.drop_table('upload_errors')
    op.drop_table('upload_files')
    with op.batch_alter_table('upload_jobs', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('error_count')
