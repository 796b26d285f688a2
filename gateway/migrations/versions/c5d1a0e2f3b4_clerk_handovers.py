"""clerk handovers (代办员变更) and who set an account up, for its mails (0040)

Revision ID: c5d1a0e2f3b4
Revises: b8c9d0e1f2a3
Create Date: 2026-12-07 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c5d1a0e2f3b4"
down_revision = "b8c9d0e1f2a3"
branch_labels = None
depends_on = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.add_column("accounts", sa.Column("set_up_by", sa.String(length=200), nullable=True))
    op.create_table(
        "clerk_handovers",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("union_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_username", sa.String(length=64), nullable=False),
        sa.Column("by_role", sa.String(length=20), nullable=False),
        sa.Column("by_words", sa.String(length=300), nullable=False),
        sa.Column("new_account_id", sa.Integer(), nullable=False),
        sa.Column("new_username", sa.String(length=64), nullable=False),
        sa.Column("new_display_name", sa.String(length=100), nullable=False),
        sa.Column("new_mobile_masked", sa.String(length=20), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=False),
        sa.Column("replaced", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clerk_handovers")),
    )
    op.create_index(op.f("ix_clerk_handovers_union_id"), "clerk_handovers", ["union_id"], unique=False)
    op.create_index(op.f("ix_clerk_handovers_district_id"), "clerk_handovers", ["district_id"], unique=False)
    op.create_index(op.f("ix_clerk_handovers_new_account_id"), "clerk_handovers", ["new_account_id"], unique=False)


def downgrade():
    op.drop_table("clerk_handovers")
    op.drop_column("accounts", "set_up_by")
