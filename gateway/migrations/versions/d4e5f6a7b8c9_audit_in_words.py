"""audit in words: what the request acted on (said by the service) and why it was refused

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-12-07 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d4e5f6a7b8c9"
down_revision = "c3d4e5f6a7b8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("subject")
