"""member detail changes: the mobile an accepted change replaced, sealed, to text it (0047)

Revision ID: e2b7c4a9d1f6
Revises: c3d9e1f7a2b4
Create Date: 2026-12-08 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e2b7c4a9d1f6"
down_revision = "c3d9e1f7a2b4"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("member_detail_changes", sa.Column("old_mobile_sealed", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("member_detail_changes", "old_mobile_sealed")
