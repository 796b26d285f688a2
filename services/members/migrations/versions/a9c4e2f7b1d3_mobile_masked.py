"""members.mobile_masked: a masked copy of the sealed mobile, for the member list (issue 30)

The list showed every row's mobile masked, opening its AES-GCM seal to do so (50 a page). The
masked copy is kept beside it, as id_masked is for the ID number, and written with the mobile
(services/members/adapters/orm.py). Existing rows are filled here in batches of BATCH (bounded
memory), each sealed mobile opened once: a batch is opened in Python, written to a temporary
table, and its members updated from it in one statement.

The keys are the running system's (PII_* in the environment, or the data folder's key file): run
the migration where the services run (as d4e8a1b7c3f5).

Revision ID: a9c4e2f7b1d3
Revises: f1a2b3c4d5e6
Create Date: 2026-12-07 21:00:00
"""
import sqlalchemy as sa
from alembic import op

from common import crypto
from common.pii import mask_mobile

revision = 'a9c4e2f7b1d3'
down_revision = 'f1a2b3c4d5e6'
branch_labels = None
depends_on = None

BATCH = 10_000


def _fill(conn) -> None:
    vault = crypto.vault()
    conn.execute(sa.text("CREATE TEMPORARY TABLE member_mobiles (id integer PRIMARY KEY, masked text)"))
    after = -1
    while True:
        rows = conn.execute(
            sa.text("SELECT id, mobile_sealed FROM members WHERE id > :after AND mobile_sealed IS NOT NULL "
                    f"ORDER BY id LIMIT {BATCH}"),
            {"after": after},
        ).all()
        if not rows:
            break
        conn.execute(sa.text("INSERT INTO member_mobiles (id, masked) VALUES (:id, :m)"),
                     [{"id": r.id, "m": mask_mobile(vault.open("mobile", r.mobile_sealed))} for r in rows])
        conn.execute(sa.text("UPDATE members SET mobile_masked = (SELECT masked FROM member_mobiles m "
                             "WHERE m.id = members.id) WHERE id IN (SELECT id FROM member_mobiles)"))
        conn.execute(sa.text("DELETE FROM member_mobiles"))
        after = rows[-1].id
    conn.execute(sa.text("DROP TABLE member_mobiles"))


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobile_masked', sa.String(length=20), nullable=True))
    _fill(op.get_bind())


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('mobile_masked')
