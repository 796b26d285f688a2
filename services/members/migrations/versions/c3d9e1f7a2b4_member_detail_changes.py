"""member detail changes: a member's own address and mobile, pending the union (0047)

Revision ID: c3d9e1f7a2b4
Revises: b5e0c4d2a8f6
Create Date: 2026-12-08 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c3d9e1f7a2b4"
down_revision = "b5e0c4d2a8f6"
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade():
    op.create_table(
        "member_detail_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("union_id", sa.Integer(), nullable=False),
        sa.Column("old_address", sa.String(length=200), nullable=False),
        sa.Column("new_address", sa.String(length=200), nullable=True),
        sa.Column("old_mobile_masked", sa.String(length=20), nullable=True),
        sa.Column("new_mobile_sealed", sa.Text(), nullable=True),
        sa.Column("new_mobile_index", sa.String(length=40), nullable=True),
        sa.Column("new_mobile_masked", sa.String(length=20), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_member_detail_changes_member_id")),
        sa.ForeignKeyConstraint(["union_id"], ["unions.id"], name=op.f("fk_member_detail_changes_union_id")),
        sa.ForeignKeyConstraint(
            ["superseded_by"], ["member_detail_changes.id"], name=op.f("fk_member_detail_changes_superseded_by")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_detail_changes")),
    )
    with op.batch_alter_table("member_detail_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ux_member_detail_changes_pending_member",
            ["member_id"],
            unique=True,
            postgresql_where=PENDING,
            sqlite_where=PENDING,
        )
        batch_op.create_index("ix_member_detail_changes_union_state", ["union_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_detail_changes_member_id"), ["member_id"], unique=False)


def downgrade():
    op.drop_table("member_detail_changes")
