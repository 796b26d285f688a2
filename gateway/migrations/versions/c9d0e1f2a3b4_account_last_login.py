"""accounts.last_login_at: when the account last logged in (the district's 基层工会 page shows it);
an index to find a district's clerk accounts

Revision ID: c9d0e1f2a3b4
Revises: c5d1a0e2f3b4
Create Date: 2026-12-07 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c9d0e1f2a3b4"
down_revision = "c5d1a0e2f3b4"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("last_login_at", sa.DateTime(), nullable=True))
    op.create_index("ix_accounts_district_id_role", "accounts", ["district_id", "role"])
    # what the sessions still on record know (expired ones are gone: those accounts read 从未登录
    # until their next login, which is the best the history allows)
    op.execute(
        "UPDATE accounts SET last_login_at = (SELECT max(created_at) FROM web_sessions"
        " WHERE web_sessions.account_id = accounts.id)"
    )


def downgrade():
    op.drop_index("ix_accounts_district_id_role", table_name="accounts")
    op.drop_column("accounts", "last_login_at")
