"""registration requests: what the public 组织注册 form's per-address limit counts (0036)

Revision ID: a1b2c3d4e5f7
Revises: a7b8c9d0e1f2
Create Date: 2026-12-07 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a1b2c3d4e5f7"
down_revision = "a7b8c9d0e1f2"
branch_labels = None
depends_on = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "registration_requests",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_requests")),
    )
    op.create_index(op.f("ix_registration_requests_ip"), "registration_requests", ["ip"], unique=False)
    op.create_index(op.f("ix_registration_requests_at"), "registration_requests", ["at"], unique=False)


def downgrade():
    op.drop_table("registration_requests")
