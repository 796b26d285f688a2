"""batch.payment_status_text: billing's words for a batch's payment status

Billing owns the payment status and its names (issue 26 item 5); its events carry the words
(`payment_status_text`) and enrollment shows them as said, so 部分到账 / 已到账待核销 (money
arrived, decision 0032) read on enrollment's screens as on billing's. Null until billing says one.

Revision ID: f3c8a1d9e2b7
Revises: e4b9c2d7a318
Create Date: 2026-12-07 21:45:00
"""
import sqlalchemy as sa
from alembic import op


revision = 'f3c8a1d9e2b7'
down_revision = 'e4b9c2d7a318'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("batch", sa.Column("payment_status_text", sa.String(40), nullable=True))


def downgrade():
    op.drop_column("batch", "payment_status_text")
