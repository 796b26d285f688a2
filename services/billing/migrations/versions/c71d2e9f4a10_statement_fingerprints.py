"""bank statements: recognised layout, skipped rows; statement lines: serial, fingerprint, first_line_id

Issue 26 items 3 and 4 (docs/decisions/0026-bank-statements-as-exported.md): a statement says the
layout and columns that were recognised and the rows of money out it left out; each line keeps
the bank's serial and its fingerprint, unique among first sightings, and a line seen before
points at the line it repeats.

Lines imported before this revision get their fingerprints here, by the same rule as new ones
(statements in the order they were imported, lines in row order), so that importing one of
those statements again is recognised as 已导入过.

Revision ID: c71d2e9f4a10
Revises: a3f08e61c2d4
Create Date: 2026-12-07 17:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c71d2e9f4a10'
down_revision = 'a3f08e61c2d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bank_statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('layout', sa.String(length=40), server_default='template', nullable=False))
        batch_op.add_column(sa.Column('recognised', sa.Text(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('skipped_rows', sa.Text(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('duplicate_count', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('statement_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('first_line_id', sa.Integer(), nullable=True))
    _fingerprint_existing_lines()
    op.create_index('uq_statement_lines_fingerprint', 'statement_lines', ['fingerprint'], unique=True,
                    postgresql_where=sa.text('first_line_id IS NULL'), sqlite_where=sa.text('first_line_id IS NULL'))


def _fingerprint_existing_lines():
    from services.billing.domain.statement import Line
    from services.billing.domain.statement_fingerprint import fingerprints

    conn = op.get_bind()
    lines = sa.table('statement_lines', sa.column('id'), sa.column('statement_id'), sa.column('row'),
                     sa.column('paid_on', sa.Date()), sa.column('payer'), sa.column('amount_fen'), sa.column('memo'),
                     sa.column('fingerprint'), sa.column('first_line_id'))
    rows = conn.execute(sa.select(lines.c.id, lines.c.statement_id, lines.c.paid_on, lines.c.payer,
                                  lines.c.amount_fen, lines.c.memo)
                        .order_by(lines.c.statement_id, lines.c.row, lines.c.id)).all()
    first: dict[str, int] = {}
    updates = []
    statement_rows: list = []

    def flush_statement():
        found = fingerprints([Line(0, r.paid_on, r.payer, r.amount_fen, r.memo) for r in statement_rows])
        for r, fingerprint in zip(statement_rows, found):
            updates.append({"line_id": r.id, "fp": fingerprint, "first": first.get(fingerprint)})
            first.setdefault(fingerprint, r.id)

    for r in rows:
        if statement_rows and statement_rows[-1].statement_id != r.statement_id:
            flush_statement()
            statement_rows = []
        statement_rows.append(r)
    if statement_rows:
        flush_statement()
    if updates:
        conn.execute(lines.update().where(lines.c.id == sa.bindparam('line_id'))
                     .values(fingerprint=sa.bindparam('fp'), first_line_id=sa.bindparam('first')), updates)


def downgrade():
    # plain DROP COLUMN (SQLite ≥ 3.35 has it): a batch copy of bank_statements would trip the
    # foreign key of statement_lines on SQLite
    op.drop_index('uq_statement_lines_fingerprint', table_name='statement_lines')
    for column in ('first_line_id', 'fingerprint', 'serial'):
        op.drop_column('statement_lines', column)
    for column in ('duplicate_count', 'skipped_rows', 'recognised', 'layout'):
        op.drop_column('bank_statements', column)
