"""the sync's database work made lighter (issue 17 item 4):

- upload errors without a foreign key to their job: a refused 100,000-row roster stores 100,000
  error rows in one statement, and the key's check ran once a row (268 ms of its 510 ms). Every
  error is written by the job's own transaction, beside its job, and jobs are never deleted, so
  the key guarded nothing; the errors' primary key still starts with job_id.
- members.id_index compared byte for byte (COLLATE "C", PostgreSQL): a blind index is hex, so
  the database's language collation only slows every comparison in its unique index (100,000
  probes of numbers not in the system: 323 ms under the default collation, 258 ms under "C").
  The column keeps its type; its index is rebuilt. SQLite compares bytes already.
- a hash index on members.id_index (PostgreSQL) beside the unique B-tree, which keeps the
  constraint: an equality probe finds its bucket at once instead of descending the tree, and
  a roster of people not in the system probes once a row (100,000 misses: 105 ms against
  250 ms). Lookups under several keys at once (IN, during a key rotation) use the B-tree.

Revision ID: e7c3a9d2b4f1
Revises: d4e8a1b7c3f5
Create Date: 2026-12-03 15:00:00
"""
from alembic import op

revision = 'e7c3a9d2b4f1'
down_revision = 'd4e8a1b7c3f5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('upload_errors') as batch:
        batch.drop_constraint('fk_upload_errors_job_id', type_='foreignkey')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE members ALTER COLUMN id_index TYPE varchar(40) COLLATE "C"')
        op.create_index('ix_members_id_index_hash', 'members', ['id_index'], postgresql_using='hash')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_members_id_index_hash', table_name='members')
        op.execute('ALTER TABLE members ALTER COLUMN id_index TYPE varchar(40) COLLATE "default"')
    with op.batch_alter_table('upload_errors') as batch:
        batch.create_foreign_key('fk_upload_errors_job_id', 'upload_jobs', ['job_id'], ['id'])
