"""Set-based roster work for uploads of up to 100,000 rows: the uploaded people go into a
temporary table (COPY on PostgreSQL, executemany on SQLite), one join finds them, and each
sync category is applied with one statement — never row by row."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Date, DateTime, text

from services.members.domain.roster_sync import PersonRow

TEMP = "upload_people"


def load_people(session, rows: list[PersonRow]) -> None:
    """Create the temporary table of this transaction and fill it."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"CREATE TEMP TABLE {TEMP} (row_no integer, name text, id_number text) ON COMMIT DROP")
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {TEMP} (row_no, name, id_number) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((row.row, row.name, row.id_number))
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{TEMP}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {TEMP} (row_no integer, name text, id_number text PRIMARY KEY)")
        conn.execute(text(f"INSERT INTO {TEMP} (row_no, name, id_number) VALUES (:r, :n, :i)"),
                     [{"r": r.row, "n": r.name, "i": r.id_number} for r in rows])


def drop_people(session) -> None:
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{CLASSIFIED}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{TEMP}")


CLASSIFIED = "upload_classified"


def classify_people(session, union_id: int) -> None:
    """The one join: each uploaded row with its member and its category, as
    domain.roster_sync.classify defines them (A, B, C; E not found, N name mismatch, P a
    request to another union already waiting)."""
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    union_id = int(union_id)
    if not pg:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{CLASSIFIED}")
    # One index probe per uploaded row: the cost follows the file, not the size of the city.
    # On PostgreSQL, LATERAL … LIMIT 1 keeps the planner from hashing the whole members table
    # instead; SQLite (no LATERAL) probes the unique index by itself.
    members = ("LATERAL (SELECT id, name, union_id, synced FROM members WHERE members.id_number = t.id_number "
               "LIMIT 1) m ON true" if pg else "members m ON m.id_number = t.id_number")
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE {CLASSIFIED} {'ON COMMIT DROP' if pg else ''} AS "
        "SELECT t.row_no, t.name, t.id_number, m.id AS member_id, m.union_id, "
        "CASE WHEN m.id IS NULL THEN 'E' WHEN m.name <> t.name THEN 'N' "
        f"WHEN m.union_id = {union_id} THEN 'A' WHEN m.union_id IS NULL THEN 'B' "
        f"WHEN r.to_union_id IS NOT NULL AND r.to_union_id <> {union_id} THEN 'P' ELSE 'C' END AS category, "
        "r.to_union_id AS pending_to, m.synced "
        f"FROM {TEMP} t LEFT JOIN {members} "
        "LEFT JOIN transfer_requests r ON r.member_id = m.id AND r.status = 'pending'")
    if pg:
        conn.exec_driver_sql(f"ANALYZE {CLASSIFIED}")  # its size, for the hash joins that follow
    else:
        conn.exec_driver_sql(f"CREATE INDEX temp.ix_{CLASSIFIED}_member ON {CLASSIFIED} (member_id)")


def category_counts(session) -> dict[str, int]:
    return dict(session.execute(text(f"SELECT category, count(*) FROM {CLASSIFIED} GROUP BY category")).all())


def rows_in(session, categories: tuple[str, ...], limit: int | None = None) -> list:
    """(row, name, id_number, category) of the file rows in these categories, in file order."""
    names = ", ".join(f"'{c}'" for c in categories)
    query = f"SELECT row_no, name, id_number, category FROM {CLASSIFIED} WHERE category IN ({names}) ORDER BY row_no"
    return session.execute(text(query + (f" LIMIT {int(limit)}" if limit else ""))).all()


def _not_in_file(alias: str = "members") -> str:
    return f"NOT EXISTS (SELECT 1 FROM {CLASSIFIED} c WHERE c.member_id = {alias}.id)"


def count_not_in_file(session, union_id: int) -> int:
    return session.execute(text(f"SELECT count(*) FROM members WHERE union_id = :u AND {_not_in_file()}"),
                           {"u": union_id}).scalar()


def sample_not_in_file(session, union_id: int, limit: int) -> list:
    return session.execute(text(f"SELECT name, id_number FROM members WHERE union_id = :u AND {_not_in_file()} "
                                f"ORDER BY id LIMIT {int(limit)}"), {"u": union_id}).all()


def count_would_sync(session) -> int:
    return session.execute(text(f"SELECT count(*) FROM {CLASSIFIED} WHERE category = 'A' AND NOT synced")).scalar()


def mark_synced(session, union_id: int) -> int:
    """A: in the file and in this union → synced 是."""
    return session.execute(text(
        f"UPDATE members SET synced = true WHERE synced = false AND union_id = :u "
        f"AND id IN (SELECT member_id FROM {CLASSIFIED} WHERE category = 'A')"), {"u": union_id}).rowcount


def mark_not_in_file(session, union_id: int, job_id: int) -> int:
    """D: in this union but not in the file → synced 否; remembered for the result workbook."""
    params = {"u": union_id, "j": job_id}
    added = session.execute(text(
        f"INSERT INTO sync_run_items (job_id, category, member_id, from_union_id) "
        f"SELECT :j, 'D', m.id, m.union_id FROM members m WHERE m.union_id = :u AND {_not_in_file('m')}"), params).rowcount
    if added:  # the anti-join again only when someone is missing from the file
        session.execute(text(
            "UPDATE members SET synced = false WHERE synced = true AND id IN "
            "(SELECT member_id FROM sync_run_items WHERE job_id = :j AND category = 'D')"), params)
    return added


MEMBER_COLUMNS = ("id, union_id, name, id_type, id_number, gender, birth_date, member_no, status, card_number, "
                  "card_issued_on, card_recorded_at, removed, version")


def move_unattached(session, union_id: int, job_id: int | None, now: datetime, synced: bool) -> list[dict]:
    """B: people in the file with no union join this union at once; returns their new state."""
    move = ("UPDATE members SET union_id = :u, synced = :s, left_reason = NULL, version = version + 1, "
            "updated_at = :now, status = CASE WHEN member_no IS NULL THEN 'pending' ELSE 'normal' END "
            f"WHERE union_id IS NULL AND id IN (SELECT member_id FROM {CLASSIFIED} WHERE category = 'B') "
            f"RETURNING {MEMBER_COLUMNS}")
    pg = session.connection().dialect.name == "postgresql"
    if pg and job_id is not None:  # the run's record of who moved, in the same statement
        move = (f"WITH moved AS ({move}), recorded AS (INSERT INTO sync_run_items (job_id, category, member_id, "
                f"from_union_id) SELECT :j, 'B', id, NULL FROM moved) SELECT * FROM moved")
    rows = session.execute(text(move).columns(
        birth_date=Date, card_issued_on=Date, card_recorded_at=DateTime, removed=Boolean),
        {"u": union_id, "s": synced, "now": now, "j": job_id}).mappings().all()
    rows = [dict(r) for r in rows]
    if job_id is not None and rows and not pg:
        session.execute(text("INSERT INTO sync_run_items (job_id, category, member_id, from_union_id) "
                             "VALUES (:j, 'B', :m, NULL)"), [{"j": job_id, "m": r["id"]} for r in rows])
    return rows


def request_transfers(session, union_id: int, job_id: int | None, who: str, now: datetime) -> int:
    """C: people in another union → a pending request each (unless one to this union is already waiting)."""
    return session.execute(text(
        "INSERT INTO transfer_requests (member_id, from_union_id, to_union_id, status, job_id, requested_by, requested_at) "
        f"SELECT c.member_id, c.union_id, :u, 'pending', :j, :who, :now FROM {CLASSIFIED} c "
        "WHERE c.category = 'C' AND c.pending_to IS NULL"),
        {"u": union_id, "j": job_id, "who": who, "now": now}).rowcount


