"""statistics kept fresh on cover and member_view (PostgreSQL)

A season grows both tables by hundreds of thousands of rows in minutes (imports, card lists,
submissions). Until autovacuum's default threshold (20 % of the table) is crossed the planner
works from the empty table's statistics and answers the confirmation list with a nested loop
that scans every cover of the year for each member: 34 s for an 800-member union at 33,000
covers in the season benchmark (issue 16), 60 ms once analyzed. Analyze after 1 % or 500 rows.

Revision ID: d7a3e5f0c216
Revises: 7d2e938efe84
Create Date: 2026-12-03 09:35:00
"""
from alembic import op


revision = 'd7a3e5f0c216'
down_revision = '7d2e938efe84'
branch_labels = None
depends_on = None

TABLES = ("cover", "member_view")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite (embedded mode) has no autovacuum; its tables stay small
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET (autovacuum_analyze_scale_factor = 0.01, "
                   "autovacuum_analyze_threshold = 500)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)")
