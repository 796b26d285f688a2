"""vouchers: a list, never replaced; a voucher can be withdrawn with a reason

Issue 26 item 1 (docs/decisions/0030-vouchers-a-list.md). Before this revision a new voucher
replaced the batch's `current` one (the old row stayed, hidden). Every existing voucher is kept:

- on a batch not yet written off, every voucher counts again (a replaced one was most often the
  first of two transfers; the district can withdraw it, with a reason, if it was a mistake), and
  the batch's 已上传凭证金额 (`paid_fen`), `paid_on` and `voucher_uploaded_at` are their sum and
  latest;
- on a written-off batch nothing the centre closed changes: a replaced voucher is marked withdrawn
  (at the moment it was replaced, reason 迁移前已被后一张凭证替换), so the sum stays what it was.

Revision ID: d5b7e2a9c3f1
Revises: c71d2e9f4a10
Create Date: 2026-12-07 18:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd5b7e2a9c3f1'
down_revision = 'c71d2e9f4a10'
branch_labels = None
depends_on = None

REPLACED = "迁移前已被后一张凭证替换"


def upgrade():
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason', sa.String(length=200), nullable=True))
    bind = op.get_bind()
    # Written-off batches: a replaced voucher is withdrawn when the next one came.
    replaced = bind.execute(sa.text(
        "SELECT v.id, (SELECT MIN(n.uploaded_at) FROM vouchers n WHERE n.batch_id = v.batch_id AND n.id > v.id) "
        "FROM vouchers v JOIN batches b ON b.batch_id = v.batch_id "
        "WHERE NOT v.current AND b.written_off_at IS NOT NULL")).all()
    for voucher_id, replaced_at in replaced:
        bind.execute(sa.text("UPDATE vouchers SET withdrawn_at = :at, withdrawn_by = 'system', "
                             "withdraw_reason = :reason WHERE id = :id"),
                     {"at": replaced_at, "reason": REPLACED, "id": voucher_id})
    # Open batches: every voucher counts; the batch's figures are their sum and latest.
    open_batches = bind.execute(sa.text(
        "SELECT DISTINCT v.batch_id FROM vouchers v JOIN batches b ON b.batch_id = v.batch_id "
        "WHERE b.written_off_at IS NULL")).scalars().all()
    for batch_id in open_batches:
        total, paid_on, uploaded_at = bind.execute(sa.text(
            "SELECT SUM(amount_fen), MAX(paid_on), MAX(uploaded_at) FROM vouchers "
            "WHERE batch_id = :b AND withdrawn_at IS NULL"), {"b": batch_id}).one()
        bind.execute(sa.text("UPDATE batches SET paid_fen = :total, paid_on = :paid_on, "
                             "voucher_uploaded_at = :uploaded_at WHERE batch_id = :b"),
                     {"total": total, "paid_on": paid_on, "uploaded_at": uploaded_at, "b": batch_id})
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_column('current')


def downgrade():
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current', sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    # The latest voucher still counted is the batch's current one again.
    bind.execute(sa.text(
        "UPDATE vouchers SET current = true WHERE withdrawn_at IS NULL AND id IN "
        "(SELECT MAX(id) FROM vouchers WHERE withdrawn_at IS NULL GROUP BY batch_id)"))
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
