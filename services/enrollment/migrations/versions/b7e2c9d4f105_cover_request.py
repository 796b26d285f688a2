"""cover_request: 个人参保申请 (有卡无保)

A member asks their union to cover them (issue 29 item 4, decision 0045); the union's instant
submission naming them moves the request on (单位已提交, 已参保) or the union declines it with a
reason. One open request (asked, submitted) per member and year.

Revision ID: b7e2c9d4f105
Revises: a9c4e2f1b043
Create Date: 2026-12-08 01:05:00
"""
import sqlalchemy as sa
from alembic import op


revision = 'b7e2c9d4f105'
down_revision = 'a9c4e2f1b043'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cover_request",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=True),
        sa.Column("cover_year", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("union_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("asked_by", sa.String(100), nullable=False),
        sa.Column("submission_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "uq_cover_request_open",
        "cover_request",
        ["cover_year", "member_id"],
        unique=True,
        postgresql_where=sa.text("state IN ('asked', 'submitted')"),
    )
    op.create_index("ix_cover_request_union_year", "cover_request", ["union_id", "cover_year"])
    op.create_index("ix_cover_request_member", "cover_request", ["member_id"])


def downgrade():
    op.drop_table("cover_request")
