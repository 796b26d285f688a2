"""verification requests: what the public 参保凭证 verification page's per-address limit counts (0042)

Revision ID: b8c9d0e1f242
Revises: a1b2c3d4e5f7
Create Date: 2026-12-08 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b8c9d0e1f242"
down_revision = "a1b2c3d4e5f7"
branch_labels = None
depends_on = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "verification_requests",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_requests")),
    )
    op.create_index(op.f("ix_verification_requests_ip"), "verification_requests", ["ip"], unique=False)
    op.create_index(op.f("ix_verification_requests_at"), "verification_requests", ["at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_verification_requests_at"), table_name="verification_requests")
    op.drop_index(op.f("ix_verification_requests_ip"), table_name="verification_requests")
    op.drop_table("verification_requests")
