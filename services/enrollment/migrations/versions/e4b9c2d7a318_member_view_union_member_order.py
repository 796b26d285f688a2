"""member_view (union_id, member_id): the confirmation list pages in member order

The confirmation list (参保确认) shows a union's eligible members 50 at a time by member id. With
only (union_id, status, card_issued_on) the planner gathers all of a 100,000-member union's card
holders, hash-anti-joins them with every cover of the year and sorts them (spilling to disk) for
each page: ~500 ms for a page at offset 40,000 in a city of 1,000,000 with 200,000 covers
(EXPLAIN ANALYZE, issue 16). In member order it walks the union's members up to the page,
probing the covers' unique index for each: ~210 ms at that offset, a few ms for the first pages.

Revision ID: e4b9c2d7a318
Revises: dbcbadc5d8b8
Create Date: 2026-12-03 12:40:00
"""
from alembic import op


revision = 'e4b9c2d7a318'
down_revision = 'dbcbadc5d8b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_member_view_union_member", "member_view", ["union_id", "member_id"])


def downgrade():
    op.drop_index("ix_member_view_union_member", table_name="member_view")
