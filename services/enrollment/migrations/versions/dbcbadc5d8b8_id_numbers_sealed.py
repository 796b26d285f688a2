"""ID numbers sealed at rest: member_view and cover keep id_sealed, id_index, id_masked

Issue 14 (PIPL art. 28, 51; docs/decisions/0022-pii-at-rest.md): the member read model and the
covers copied from it hold the ID number only sealed (AES-GCM, field "id_number"), as its blind
index (for every lookup) and masked (for every answer); the 职工保障查询 audit keeps an ID number
asked masked, sealed and indexed. Existing rows are converted in batches of BATCH rows in key
order (bounded memory whatever the table's size), inside the migration's one transaction: an
interrupted upgrade leaves the clear column as it was. The keys are the service's own
(PII_ENCRYPTION_KEYS / PII_INDEX_KEYS, or the data folder's pii-keys.json in the embedded mode).
Measured on the shared 2-core machine: ~9,000 rows/s (200,000 members and 200,000 covers in
44 s), the time going to PostgreSQL rewriting each row and to sealing; a city's 5,000,000 covers
take ~10 minutes, during which the service is down for the upgrade as for any migration.

Revision ID: dbcbadc5d8b8
Revises: d7a3e5f0c216
Create Date: 2026-12-03 11:50:00
"""
from alembic import op
import sqlalchemy as sa

from common import crypto
from common.pii import mask_id


revision = 'dbcbadc5d8b8'
down_revision = 'd7a3e5f0c216'
branch_labels = None
depends_on = None

FIELD = "id_number"
BATCH = 5000
# table, its key, the clear column, the three it becomes, which rows hold an ID number
PEOPLE = (("member_view", "member_id", "id_number", ("id_sealed", "id_index", "id_masked"), None),
          ("cover", "id", "id_number", ("id_sealed", "id_index", "id_masked"), None))
AUDIT = ("cover_lookup", "id", "asked", ("asked_sealed", "asked_index", "asked"), "\"by\" <> 'member_no'")
TYPES = {"sealed": sa.Text(), "index": sa.String(48), "masked": sa.String(40)}


def _convert(table, key, clear, into, where, forward=True):
    """Rewrites `table` in batches: clear → (sealed, index, masked) forward, sealed → clear back."""
    vault = crypto.reload()
    sealed, index, masked = into
    source = clear if forward else sealed
    bind = op.get_bind()
    after = None
    while True:
        conditions = [f"{source} IS NOT NULL"] + ([where] if where else []) + ([f"{key} > :after"] if after is not None else [])
        rows = bind.execute(sa.text(f"SELECT {key}, {source} FROM {table} WHERE {' AND '.join(conditions)} "
                                    f"ORDER BY {key} LIMIT {BATCH}"), {"after": after}).all()
        if not rows:
            return
        after = rows[-1][0]
        if forward:
            values = [{"k": k, "s": vault.seal(FIELD, n), "i": vault.index(FIELD, n), "m": mask_id(n)} for k, n in rows]
            sets = f"{sealed} = :s, {index} = :i, {masked} = :m"
        else:
            values = [{"k": k, "c": vault.open(FIELD, s)} for k, s in rows]
            sets = f"{clear} = :c"
        bind.execute(sa.text(f"UPDATE {table} SET {sets} WHERE {key} = :k"), values)


def upgrade():
    for table, key, clear, (sealed, index, masked), where in PEOPLE:
        with op.batch_alter_table(table) as batch:
            for column, kind in zip((sealed, index, masked), TYPES.values()):
                batch.add_column(sa.Column(column, kind, nullable=True))
        _convert(table, key, clear, (sealed, index, masked), where)
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_{clear}")
            batch.drop_column(clear)
            for column, kind in zip((sealed, index, masked), TYPES.values()):
                batch.alter_column(column, existing_type=kind, nullable=False)
            batch.create_index(f"ix_{table}_{index}", [index], unique=False)
    table, key, clear, (sealed, index, _), where = AUDIT
    with op.batch_alter_table(table) as batch:
        batch.add_column(sa.Column(sealed, TYPES["sealed"], nullable=True))
        batch.add_column(sa.Column(index, TYPES["index"], nullable=True))
        batch.create_index(f"ix_{table}_{index}", [index], unique=False)
    _convert(table, key, clear, AUDIT[3], where)  # `asked` becomes the masked number


def downgrade():
    table, key, clear, (sealed, index, _), where = AUDIT
    _convert(table, key, clear, AUDIT[3], where, forward=False)
    with op.batch_alter_table(table) as batch:
        batch.drop_index(f"ix_{table}_{index}")
        batch.drop_column(index)
        batch.drop_column(sealed)
    for table, key, clear, (sealed, index, masked), where in PEOPLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(clear, sa.String(40), nullable=True))
        _convert(table, key, clear, (sealed, index, masked), where, forward=False)
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_{index}")
            for column in (sealed, index, masked):
                batch.drop_column(column)
            batch.alter_column(clear, existing_type=sa.String(40), nullable=False)
            batch.create_index(f"ix_{table}_{clear}", [clear], unique=False)
