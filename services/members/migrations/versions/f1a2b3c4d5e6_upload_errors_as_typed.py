"""upload errors as typed: a list upload's error keeps the cell as the clerk typed it, sealed

Revision ID: f1a2b3c4d5e6
Revises: e7c3a9d2b4f1
Create Date: 2026-12-07 17:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f1a2b3c4d5e6'
down_revision = 'e7c3a9d2b4f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('upload_errors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('typed_sealed', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('upload_errors', schema=None) as batch_op:
        batch_op.drop_column('typed_sealed')
