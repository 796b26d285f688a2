"""documents: withdrawn_at, withdrawn_reason; submission_view: returned_at, return_reason

A returned submission's notice is withdrawn at once (issue 26 item 8, decision 0034): the version
is kept (never overwritten) and marked, with the district's reason; the read model keeps when and
why the submission was returned so a later notice can leave it out.

Revision ID: b5d0e3a7c214
Revises: e7b4c2d9a018
Create Date: 2026-12-07 20:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b5d0e3a7c214'
down_revision = 'e7b4c2d9a018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.String(length=300), nullable=True))
    with op.batch_alter_table('submission_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('return_reason', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('submission_view', schema=None) as batch_op:
        batch_op.drop_column('return_reason')
        batch_op.drop_column('returned_at')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_at')
