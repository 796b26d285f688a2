"""member_move: a member's last move (joined, moved in, left with its reason)

This year against last year (issue 28 item 4, decision 0043) says why a member is new to a
union's list (a new member, moved in) and why one covered last year is gone (left: 离职, 退休 …).
The member snapshot says where a member is, not how they came or went: the members events do
(approved, transferred_in with previous_union_id, transferred_out with reason). One row per
member, the newest move.

Revision ID: a9c4e2f1b043
Revises: f3c8a1d9e2b7
Create Date: 2026-12-07 23:55:00
"""
import sqlalchemy as sa
from alembic import op


revision = 'a9c4e2f1b043'
down_revision = 'f3c8a1d9e2b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_move",
        sa.Column("member_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("union_id", sa.Integer(), nullable=True),
        sa.Column("previous_union_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def downgrade():
    op.drop_table("member_move")
