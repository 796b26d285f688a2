"""personal information sealed at rest: ID numbers and mobiles (issue 14)

members.id_number (clear, unique) becomes id_sealed (AES-GCM, common/crypto.py), id_index (the
blind index, unique) and id_masked; members.mobile becomes mobile_sealed. Existing rows are
converted in batches of BATCH (bounded memory: each batch is sealed in Python, written to a
temporary table, and the members are updated from it in one statement at the end). Member
events already in the outbox are rewritten to the new snapshot (docs/events.md): no clear ID
number is left in the outbox, and an event not yet relayed reaches its consumers in the form
they now read. A stored upload file is sealed too (only running jobs keep one).

The keys are the running system's (PII_* in the environment, or the data folder's key file):
run the migration where the services run.

Revision ID: d4e8a1b7c3f5
Revises: d4e8b2a6c1f3
Create Date: 2026-12-03 12:00:00
"""
import json

import sqlalchemy as sa
from alembic import op

from common import crypto
from common.pii import mask_id

revision = 'd4e8a1b7c3f5'
down_revision = 'd4e8b2a6c1f3'
branch_labels = None
depends_on = None

BATCH = 10_000
MEMBER_EVENT = "members.member.%"


def _batches(conn, query: str):
    """Rows of `query` (its first column the key, `:after` its lower bound) a batch at a time."""
    after = -1
    while True:
        rows = conn.execute(sa.text(query + f" ORDER BY 1 LIMIT {BATCH}"), {"after": after}).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _seal_members(conn) -> None:
    vault = crypto.vault()
    conn.execute(sa.text("CREATE TEMPORARY TABLE member_seals (id integer PRIMARY KEY, id_sealed text, "
                         "id_index text, id_masked text, mobile_sealed text)"))
    for rows in _batches(conn, "SELECT id, id_number, mobile FROM members WHERE id > :after"):
        numbers = [r.id_number for r in rows]
        indexes = vault.index_many("id_number", numbers)
        conn.execute(sa.text("INSERT INTO member_seals (id, id_sealed, id_index, id_masked, mobile_sealed) "
                             "VALUES (:id, :s, :i, :m, :p)"),
                     [{"id": r.id, "s": vault.seal("id_number", r.id_number), "i": index,
                       "m": mask_id(r.id_number), "p": vault.seal("mobile", r.mobile)}
                      for r, index in zip(rows, indexes)])
    conn.execute(sa.text("UPDATE members SET id_sealed = s.id_sealed, id_index = s.id_index, id_masked = s.id_masked, "
                         "mobile_sealed = s.mobile_sealed FROM member_seals s WHERE s.id = members.id"))
    conn.execute(sa.text("DROP TABLE member_seals"))


def _snapshot(data: dict, vault) -> dict:
    """A member snapshot of before (id_number) in the form of now (id_sealed, id_index, id_masked)."""
    number = data.pop("id_number", None)
    sealed = {"id_sealed": vault.seal("id_number", number), "id_index": vault.index("id_number", number),
              "id_masked": mask_id(number)}
    rebuilt = {}
    for key, value in data.items():  # the new fields where the old one was, for a reader of the payload
        rebuilt[key] = value
        if key == "id_type":
            rebuilt.update(sealed)
    rebuilt.update({k: v for k, v in sealed.items() if k not in rebuilt})
    return rebuilt


def _rewrite_outbox(conn) -> None:
    vault = crypto.vault()
    for rows in _batches(conn, f"SELECT id, payload FROM outbox WHERE id > :after AND type LIKE '{MEMBER_EVENT}'"):
        changed = []
        for row in rows:
            envelope = json.loads(row.payload)
            if "id_number" in (envelope.get("data") or {}):
                envelope["data"] = _snapshot(envelope["data"], vault)
                changed.append({"id": row.id, "p": json.dumps(envelope, ensure_ascii=False)})
        if changed:
            conn.execute(sa.text("UPDATE outbox SET payload = :p WHERE id = :id"), changed)


def _seal_upload_files(conn) -> None:
    conn.execute(sa.text("DELETE FROM upload_files WHERE job_id IN (SELECT id FROM upload_jobs WHERE state <> 'running')"))
    vault = crypto.vault()
    for job_id, data in conn.execute(sa.text("SELECT job_id, data FROM upload_files")).all():
        conn.execute(sa.text("UPDATE upload_files SET data = :d WHERE job_id = :j"),
                     {"d": vault.seal_bytes("upload", bytes(data)), "j": job_id})


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_sealed', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('id_index', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('id_masked', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('mobile_sealed', sa.Text(), nullable=True))
    conn = op.get_bind()
    _seal_members(conn)
    _rewrite_outbox(conn)
    _seal_upload_files(conn)
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint('uq_members_id_number', type_='unique')
        batch_op.drop_column('id_number')
        batch_op.drop_column('mobile')
        batch_op.alter_column('id_sealed', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('id_index', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('id_masked', existing_type=sa.String(length=30), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_members_id_index'), ['id_index'])


def downgrade():
    """Back to clear columns (the outbox is left as it is: its consumers read the new form)."""
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('mobile', sa.String(length=20), nullable=True))
    conn = op.get_bind()
    for rows in _batches(conn, "SELECT id, id_sealed, mobile_sealed FROM members WHERE id > :after"):
        conn.execute(sa.text("UPDATE members SET id_number = :n, mobile = :p WHERE id = :id"),
                     [{"id": r.id, "n": crypto.open_sealed("id_number", r.id_sealed),
                       "p": crypto.open_sealed("mobile", r.mobile_sealed)} for r in rows])
    for job_id, data in conn.execute(sa.text("SELECT job_id, data FROM upload_files")).all():
        conn.execute(sa.text("UPDATE upload_files SET data = :d WHERE job_id = :j"),
                     {"d": crypto.open_sealed_bytes("upload", bytes(data)), "j": job_id})
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint('uq_members_id_index', type_='unique')
        batch_op.drop_column('id_sealed')
        batch_op.drop_column('id_index')
        batch_op.drop_column('id_masked')
        batch_op.drop_column('mobile_sealed')
        batch_op.alter_column('id_number', existing_type=sa.String(length=30), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_members_id_number'), ['id_number'])
