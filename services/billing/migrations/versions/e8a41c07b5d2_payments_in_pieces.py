"""payments in pieces: allocations of statement lines to batches, over-payments at 核销,
reminders that escalate

Issue 26 items 2 and 7 (docs/decisions/0032-payments-in-pieces.md, 0033-ageing-and-escalation.md).
Every line matched before this revision gets its one allocation row (the whole amount to its
batch), so a batch's `bank_matched_fen` is the sum of its allocations from the start.

Revision ID: e8a41c07b5d2
Revises: d5b7e2a9c3f1
Create Date: 2026-12-07 20:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e8a41c07b5d2'
down_revision = 'd5b7e2a9c3f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'payment_allocations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('method', sa.String(length=40), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['line_id'], ['statement_lines.id'], name=op.f('fk_payment_allocations_line_id')),
        sa.ForeignKeyConstraint(['batch_id'], ['batches.batch_id'], name=op.f('fk_payment_allocations_batch_id')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations')),
    )
    op.create_index(op.f('ix_payment_allocations_line_id'), 'payment_allocations', ['line_id'], unique=False)
    op.create_index(op.f('ix_payment_allocations_batch_id'), 'payment_allocations', ['batch_id'], unique=False)
    op.create_table(
        'payment_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=20), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by', sa.String(length=100), nullable=False),
        sa.Column('recipient', sa.String(length=200), nullable=False),
        sa.Column('days_past', sa.Integer(), nullable=False),
        sa.Column('short_fen', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['batches.batch_id'], name=op.f('fk_payment_reminders_batch_id')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_reminders')),
        sa.UniqueConstraint('batch_id', 'step', name=op.f('uq_payment_reminders_batch_id_step')),
    )
    op.create_index(op.f('ix_payment_reminders_batch_id'), 'payment_reminders', ['batch_id'], unique=False)
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overpaid_fen', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('overpaid_choice', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('refunded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('refunded_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('refund_note', sa.String(length=200), nullable=True))
    with op.batch_alter_table('credits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_batch_id', sa.Integer(), nullable=True))
    op.execute(
        "INSERT INTO payment_allocations (line_id, batch_id, amount_fen, method, at, by) "
        "SELECT l.id, l.batch_id, l.amount_fen, l.reason_code, s.uploaded_at, s.uploaded_by "
        "FROM statement_lines l JOIN bank_statements s ON s.id = l.statement_id "
        "JOIN batches b ON b.batch_id = l.batch_id WHERE l.batch_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('credits', schema=None) as batch_op:
        batch_op.drop_column('source_batch_id')
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.drop_column('refund_note')
        batch_op.drop_column('refunded_by')
        batch_op.drop_column('refunded_at')
        batch_op.drop_column('overpaid_choice')
        batch_op.drop_column('overpaid_fen')
    op.drop_index(op.f('ix_payment_reminders_batch_id'), table_name='payment_reminders')
    op.drop_table('payment_reminders')
    op.drop_index(op.f('ix_payment_allocations_batch_id'), table_name='payment_allocations')
    op.drop_index(op.f('ix_payment_allocations_line_id'), table_name='payment_allocations')
    op.drop_table('payment_allocations')
