"""union registrations: 组织注册 and 组织审核 (docs/decisions/0036)

Revision ID: a9b8c7d6e5f4
Revises: a9c4e2f7b1d3
Create Date: 2026-12-07 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a9b8c7d6e5f4"
down_revision = "a9c4e2f7b1d3"
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade():
    op.create_table(
        "union_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("chair_name", sa.String(length=50), nullable=False),
        sa.Column("chair_mobile_sealed", sa.Text(), nullable=False),
        sa.Column("chair_email", sa.String(length=254), nullable=False),
        sa.Column("clerk_name", sa.String(length=50), nullable=False),
        sa.Column("clerk_mobile_sealed", sa.Text(), nullable=False),
        sa.Column("clerk_email", sa.String(length=254), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("union_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["district_id"], ["districts.id"], name=op.f("fk_union_registrations_district_id")),
        sa.ForeignKeyConstraint(["union_id"], ["unions.id"], name=op.f("fk_union_registrations_union_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_union_registrations")),
        sa.UniqueConstraint("number", name=op.f("uq_union_registrations_number")),
    )
    with op.batch_alter_table("union_registrations", schema=None) as batch_op:
        for column in ("credit_code", "name", "username"):
            batch_op.create_index(
                f"ux_registrations_pending_{'code' if column == 'credit_code' else column}",
                [column],
                unique=True,
                postgresql_where=PENDING,
                sqlite_where=PENDING,
            )
        batch_op.create_index("ix_registrations_district_state", ["district_id", "state"], unique=False)


def downgrade():
    op.drop_table("union_registrations")
