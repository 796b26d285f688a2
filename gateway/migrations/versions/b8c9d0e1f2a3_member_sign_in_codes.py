"""个人登录: member accounts (accounts.member_id) and their one-time codes, kept as keyed hashes

Revision ID: b8c9d0e1f2a3
Revises: b8c9d0e1f242
Create Date: 2026-12-08 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b8c9d0e1f2a3"
down_revision = "b8c9d0e1f242"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(op.f("uq_accounts_member_id"), ["member_id"])
    op.create_table(
        "member_codes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("union_id", sa.Integer(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), server_default="0", nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_codes")),
    )
    op.create_index(op.f("ix_member_codes_subject"), "member_codes", ["subject"], unique=False)
    op.create_index(op.f("ix_member_codes_ip"), "member_codes", ["ip"], unique=False)
    op.create_index(op.f("ix_member_codes_created_at"), "member_codes", ["created_at"], unique=False)


def downgrade():
    op.drop_table("member_codes")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint(op.f("uq_accounts_member_id"), type_="unique")
        batch.drop_column("member_id")
