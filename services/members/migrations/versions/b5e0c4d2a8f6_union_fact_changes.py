"""union fact changes: a union's name, code or district changed through 组织审核 (0040)

Revision ID: b5e0c4d2a8f6
Revises: a9b8c7d6e5f4
Create Date: 2026-12-08 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b5e0c4d2a8f6"
down_revision = "a9b8c7d6e5f4"
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('pending', 'awaiting')")


def upgrade():
    op.create_table(
        "union_fact_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("union_id", sa.Integer(), nullable=False),
        sa.Column("old_name", sa.String(length=200), nullable=False),
        sa.Column("old_credit_code", sa.String(length=18), nullable=False),
        sa.Column("from_district_id", sa.Integer(), nullable=False),
        sa.Column("new_name", sa.String(length=200), nullable=True),
        sa.Column("new_credit_code", sa.String(length=18), nullable=True),
        sa.Column("to_district_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.Column("released_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["union_id"], ["unions.id"], name=op.f("fk_union_fact_changes_union_id")),
        sa.ForeignKeyConstraint(
            ["from_district_id"], ["districts.id"], name=op.f("fk_union_fact_changes_from_district_id")
        ),
        sa.ForeignKeyConstraint(
            ["to_district_id"], ["districts.id"], name=op.f("fk_union_fact_changes_to_district_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_union_fact_changes")),
        sa.UniqueConstraint("number", name=op.f("uq_union_fact_changes_number")),
    )
    with op.batch_alter_table("union_fact_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ux_fact_changes_open_union", ["union_id"], unique=True, postgresql_where=OPEN, sqlite_where=OPEN
        )
        batch_op.create_index("ix_fact_changes_from_state", ["from_district_id", "state"], unique=False)
        batch_op.create_index("ix_fact_changes_to_state", ["to_district_id", "state"], unique=False)


def downgrade():
    op.drop_table("union_fact_changes")
