"""The roster comparison of an upload, set-based, for files of up to 100,000 rows: the uploaded
people go into a temporary table (COPY on PostgreSQL, executemany on SQLite), one join gives
each row its category, and each category is applied with one statement — never row by row.

`RosterComparison` is its one home: entering it loads and classifies, leaving it drops its
temporary tables, so a handler cannot skip a step. The rule it applies is stated in pure Python
in domain/roster_sync.py (`classify`); a property test keeps the two in agreement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Date, DateTime, text
from sqlalchemy.exc import DBAPIError

from common import crypto
from common.pii import mask_id
from services.members.adapters.orm import ID_FIELD
from services.members.domain.roster_sync import ERROR_CATEGORIES, PersonRow, RowError, error_for

PEOPLE = "upload_people"
CLASSIFIED = "upload_classified"
# what a member event needs (contracts.member_data): the ID number as stored, sealed, indexed, masked
MEMBER_COLUMNS = (
    "id, union_id, name, id_type, id_sealed, id_index, id_masked, gender, birth_date, member_no, status, "
    "card_number, card_issued_on, card_recorded_at, removed, version"
)


class RosterComparison:
    """The uploaded people of one file against the members, for an upload into `union_id`.

    Each row's category is domain.roster_sync.classify's — A this union, B no union, C another
    union — or an error: E not found, N name mismatch, P a request to another union already
    waiting. D (this union's members not in the file) is counted and marked by the database.

    No clear ID number reaches the database: the uploaded people are loaded as their blind
    index (what the join matches) and their masked number (what an error row shows).

        with RosterComparison(uow.session, union_id, people) as found:
            counts = found.counts()
            errors = found.errors(("E", "N", "P"))
            ...  found.mark_synced(), found.move_unattached(…), found.request_transfers(…)
        uow.commit()

    It works inside the caller's transaction and never commits; its tables are dropped when the
    block ends (a broken transaction's rollback takes them with it)."""

    def __init__(self, session, union_id: int, people: list[PersonRow]):
        self.session = session
        self.union_id = int(union_id)
        self.people = people
        self._conn = None

    def __enter__(self) -> RosterComparison:
        self._conn = self.session.connection()
        if self._pg:  # JIT compiled each big statement for 0.25–0.42 s, more than some of them run
            self._conn.exec_driver_sql("SET LOCAL jit = off")
            # the file's people hashed in one batch (100,000 rows need ~8 MB; the default 4 MB
            # split the join into batches written to disk)
            self._conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        self._load()
        self._classify()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and issubclass(exc_type, DBAPIError):
            return  # the transaction is broken: its rollback drops what it created
        self._conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self._temp(CLASSIFIED)}")
        self._conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self._temp(PEOPLE)}")

    @property
    def _pg(self) -> bool:
        return self._conn.dialect.name == "postgresql"

    def _temp(self, table: str) -> str:
        return table if self._pg else f"temp.{table}"

    def _indexed_people(self, chunk: int = 5000):
        """Each person's row, name, blind index and masked number, a chunk at a time (100,000
        indexes at once would add ~20 MB to a sync's peak). While an index key rotates (more
        than one key), members not re-indexed yet carry an older key's index: each person then
        also carries its index under every older key (`_old_keys`)."""
        vault, old_keys = crypto.vault(), self._old_keys
        for start in range(0, len(self.people), chunk):
            people = self.people[start : start + chunk]
            numbers = [p.id_number for p in people]
            columns = [
                [p.row for p in people],
                [p.name for p in people],
                vault.index_many(ID_FIELD, numbers),
                [mask_id(n) for n in numbers],
            ]
            for kid in old_keys:
                columns.append([vault.index(ID_FIELD, n, kid) for n in numbers])
            yield from zip(*columns, strict=False)

    @property
    def _old_keys(self) -> list[int]:
        vault = crypto.vault()
        return [kid for kid in sorted(vault.index_keys.keys, reverse=True) if kid != vault.index_keys.current]

    def _load(self) -> None:
        conn = self._conn
        old = [f"id_index_{kid}" for kid in self._old_keys]
        names = ", ".join(["row_no", "name", "id_index", "id_masked", *old])
        if self._pg:  # blind indexes compare byte for byte, as members.id_index does (COLLATE "C")
            typed = "".join(f', {n} text COLLATE "C"' for n in old)
            conn.exec_driver_sql(
                f'CREATE TEMP TABLE {PEOPLE} (row_no integer, name text, id_index text COLLATE "C", '
                f"id_masked text{typed}) ON COMMIT DROP"
            )
            with (
                conn.connection.dbapi_connection.cursor() as cursor,
                cursor.copy(f"COPY {PEOPLE} ({names}) FROM STDIN") as copy,
            ):
                for row in self._indexed_people():
                    copy.write_row(row)
        else:
            typed = "".join(f", {n} text" for n in old)
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{PEOPLE}")
            conn.exec_driver_sql(
                f"CREATE TEMP TABLE {PEOPLE} (row_no integer, name text, id_index text PRIMARY KEY, "
                f"id_masked text{typed})"
            )
            if self.people:  # (an empty list of parameters is no executemany: it would ask for :c0)
                marks = ", ".join(f":c{n}" for n in range(4 + len(old)))
                conn.execute(
                    text(f"INSERT INTO {PEOPLE} ({names}) VALUES ({marks})"),
                    [{f"c{n}": v for n, v in enumerate(row)} for row in self._indexed_people()],
                )

    def _classify(self) -> None:
        """The one join: each uploaded row with its member and its category."""
        conn, pg, union_id = self._conn, self._pg, self.union_id
        if not pg:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{CLASSIFIED}")
        old = [f"t.id_index_{kid}" for kid in self._old_keys]
        match = f"IN (t.id_index, {', '.join(old)})" if old else "= t.id_index"
        if pg:
            # A union's roster is mostly its own members (A): they are read once through the
            # union's index and hash-joined to the file (their heap pages lie together); only the
            # rest probes the unique index, one row at a time — the cost follows the union and the
            # file, not the size of the city. (100,000 probes, one per row, took 0.52 s against
            # 0.23 s so for a 1,000,000-member city.) While an index key rotates, a member not yet
            # re-indexed misses the hash join and is found by the probe, under its older index.
            own = f"(SELECT id, name, synced, id_index FROM members WHERE union_id = {union_id}) o"
            members = (
                f"LATERAL (SELECT id, name, union_id, synced FROM members WHERE o.id IS NULL "
                f"AND members.id_index {match} LIMIT 1) m ON true"
            )
            # The pending request of a member of another union the same way: one probe of the
            # partial unique index. A plain LEFT JOIN left the plan to the statistics of
            # transfer_requests, and a sync creates thousands of requests at once: before
            # autovacuum had analyzed them the planner took the table for empty and rescanned all
            # of it for every row (100,000 × 2,500 = 58 s against 1.2 s; docs/decisions/0020).
            # Only a member found by the probe can have one (the union's own are A whatever waits).
            requests = (
                "LATERAL (SELECT to_union_id FROM transfer_requests WHERE m.id IS NOT NULL "
                "AND member_id = m.id AND status = 'pending' LIMIT 1) r ON true"
            )
            source = f"{PEOPLE} t LEFT JOIN {own} ON o.id_index = t.id_index LEFT JOIN {members} LEFT JOIN {requests}"
            member_id, name, member_union, synced = (
                "COALESCE(o.id, m.id)",
                "COALESCE(o.name, m.name)",
                f"CASE WHEN o.id IS NULL THEN m.union_id ELSE {union_id} END",
                "COALESCE(o.synced, m.synced)",
            )
        else:  # SQLite (no LATERAL) probes the unique index by itself, a row at a time
            source = (
                f"{PEOPLE} t LEFT JOIN members m ON m.id_index {match} "
                "LEFT JOIN transfer_requests r ON r.member_id = m.id AND r.status = 'pending'"
            )
            member_id, name, member_union, synced = "m.id", "m.name", "m.union_id", "m.synced"
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE {CLASSIFIED} {'ON COMMIT DROP' if pg else ''} AS "
            f"SELECT t.row_no, t.name, t.id_masked, {member_id} AS member_id, {member_union} AS union_id, "
            f"CASE WHEN {member_id} IS NULL THEN 'E' WHEN {name} <> t.name THEN 'N' "
            f"WHEN {member_union} = {union_id} THEN 'A' WHEN {member_union} IS NULL THEN 'B' "
            f"WHEN r.to_union_id IS NOT NULL AND r.to_union_id <> {union_id} THEN 'P' ELSE 'C' END AS category, "
            f"r.to_union_id AS pending_to, {synced} AS synced FROM {source}"
        )
        if pg:
            # its size and its categories, for the hash joins that follow: a sample of 3,000 rows
            # tells five categories apart as well as the default 30,000 (9 ms against 58 ms)
            conn.exec_driver_sql("SET LOCAL default_statistics_target = 10")
            conn.exec_driver_sql(f"ANALYZE {CLASSIFIED}")
            conn.exec_driver_sql("RESET default_statistics_target")
        else:
            conn.exec_driver_sql(f"CREATE INDEX temp.ix_{CLASSIFIED}_member ON {CLASSIFIED} (member_id)")

    # ---------------------------------------------------------------- what it found

    def counts(self) -> dict[str, int]:
        """Rows per category (A, B, C, and the error categories E, N, P)."""
        return dict(self.session.execute(text(f"SELECT category, count(*) FROM {CLASSIFIED} GROUP BY category")).all())

    def rows(self, categories: tuple[str, ...], limit: int | None = None) -> list:
        """(row, name, masked ID number, category) of the file rows in these categories, in file order."""
        names = ", ".join(f"'{c}'" for c in categories)
        query = (
            f"SELECT row_no, name, id_masked, category FROM {CLASSIFIED} WHERE category IN ({names}) ORDER BY row_no"
        )
        return self.session.execute(text(query + (f" LIMIT {int(limit)}" if limit else ""))).all()

    def errors(self, categories: tuple[str, ...] = ("E", "N", "P")) -> list[RowError]:
        """The rows in these categories as error rows (domain.roster_sync.error_for)."""
        return [error_for(c, row, name, number) for row, name, number, c in self.rows(categories)]

    def store_errors(self, job_id: int, seq_of_row: str, categories: tuple[str, ...] = ("E", "N", "P")) -> int:
        """The rows in these categories straight into `upload_errors`, in one INSERT … SELECT —
        the same errors as `errors()`, ID numbers masked (as loaded), with no row through Python (a refused 100,000-row roster stays as cheap as an applied one).
        `seq_of_row`: the SQL for an error's key from `row_no` (upload_store.PER_ROW)."""
        names = ", ".join(f"'{c}'" for c in categories)

        def case(index: int) -> str:
            whens = " ".join(f"WHEN '{c}' THEN '{ERROR_CATEGORIES[c][index]}'" for c in categories)
            return f"CASE category {whens} END"

        masked = "id_masked"
        return self.session.execute(
            text(
                'INSERT INTO upload_errors (job_id, seq, "row", "column", value, message, name, id_number) '
                f"SELECT :j, {seq_of_row}, row_no, {case(0)}, "
                f"CASE category WHEN 'N' THEN substr(name, 1, 60) ELSE {masked} END, {case(1)}, substr(name, 1, 60), "
                f"{masked} FROM {CLASSIFIED} WHERE category IN ({names})"
            ),
            {"j": job_id},
        ).rowcount

    def _not_in_file(self, alias: str = "members") -> str:
        return f"NOT EXISTS (SELECT 1 FROM {CLASSIFIED} c WHERE c.member_id = {alias}.id)"

    def count_not_in_file(self) -> int:
        """D: this union's members the file does not name."""
        return self.session.execute(
            text(f"SELECT count(*) FROM members WHERE union_id = :u AND {self._not_in_file()}"), {"u": self.union_id}
        ).scalar()

    def sample_not_in_file(self, limit: int) -> list:
        return self.session.execute(
            text(
                f"SELECT name, id_masked FROM members WHERE union_id = :u AND {self._not_in_file()} "
                f"ORDER BY id LIMIT {int(limit)}"
            ),
            {"u": self.union_id},
        ).all()

    def count_would_sync(self) -> int:
        """A rows whose member is not marked synced yet."""
        return self.session.execute(
            text(f"SELECT count(*) FROM {CLASSIFIED} WHERE category = 'A' AND NOT synced")
        ).scalar()

    # ---------------------------------------------------------------- applying it

    def mark_synced(self) -> int:
        """A: in the file and in this union → synced 是."""
        return self.session.execute(
            text(
                f"UPDATE members SET synced = true WHERE synced = false AND union_id = :u "
                f"AND id IN (SELECT member_id FROM {CLASSIFIED} WHERE category = 'A')"
            ),
            {"u": self.union_id},
        ).rowcount

    def record_other_union(self, job_id: int) -> int:
        """C: the people of the file in another union, remembered with the union they are in (the
        run's result: its page and its workbook, for a dry run as for a real one)."""
        return self.session.execute(
            text(
                "INSERT INTO sync_run_items (job_id, category, member_id, from_union_id) "
                f"SELECT :j, 'C', member_id, union_id FROM {CLASSIFIED} WHERE category = 'C' ORDER BY row_no"
            ),
            {"j": job_id},
        ).rowcount

    def record_not_in_file(self, job_id: int) -> int:
        """D: this union's members the file does not name, remembered for the run's result."""
        return self.session.execute(
            text(
                f"INSERT INTO sync_run_items (job_id, category, member_id, from_union_id) "
                f"SELECT :j, 'D', m.id, m.union_id FROM members m WHERE m.union_id = :u AND {self._not_in_file('m')} "
                "ORDER BY m.id"
            ),
            {"u": self.union_id, "j": job_id},
        ).rowcount

    def mark_not_in_file(self, job_id: int) -> int:
        """D: in this union but not in the file → synced 否; remembered for the result workbook."""
        params = {"u": self.union_id, "j": job_id}
        added = self.record_not_in_file(job_id)
        if added:  # the anti-join again only when someone is missing from the file
            self.session.execute(
                text(
                    "UPDATE members SET synced = false WHERE synced = true AND id IN "
                    "(SELECT member_id FROM sync_run_items WHERE job_id = :j AND category = 'D')"
                ),
                params,
            )
        return added

    def move_unattached(self, job_id: int | None, now: datetime, synced: bool) -> list[dict]:
        """B: people in the file with no union join this union at once; returns their new state."""
        move = (
            "UPDATE members SET union_id = :u, synced = :s, left_reason = NULL, version = version + 1, "
            "updated_at = :now, status = CASE WHEN member_no IS NULL THEN 'pending' ELSE 'normal' END "
            f"WHERE union_id IS NULL AND id IN (SELECT member_id FROM {CLASSIFIED} WHERE category = 'B') "
            f"RETURNING {MEMBER_COLUMNS}"
        )
        if self._pg and job_id is not None:  # the run's record of who moved, in the same statement
            move = (
                f"WITH moved AS ({move}), recorded AS (INSERT INTO sync_run_items (job_id, category, member_id, "
                f"from_union_id) SELECT :j, 'B', id, NULL FROM moved) SELECT * FROM moved"
            )
        rows = (
            self.session.execute(
                text(move).columns(birth_date=Date, card_issued_on=Date, card_recorded_at=DateTime, removed=Boolean),
                {"u": self.union_id, "s": synced, "now": now, "j": job_id},
            )
            .mappings()
            .all()
        )
        rows = [dict(r) for r in rows]
        if job_id is not None and rows and not self._pg:
            self.session.execute(
                text(
                    "INSERT INTO sync_run_items (job_id, category, member_id, from_union_id) VALUES (:j, 'B', :m, NULL)"
                ),
                [{"j": job_id, "m": r["id"]} for r in rows],
            )
        return rows

    def request_transfers(self, job_id: int | None, who: str, now: datetime) -> int:
        """C: people in another union → a pending request each (unless one to this union is already waiting)."""
        return self.session.execute(
            text(
                "INSERT INTO transfer_requests (member_id, from_union_id, to_union_id, status, job_id, requested_by, "
                f"requested_at) SELECT c.member_id, c.union_id, :u, 'pending', :j, :who, :now FROM {CLASSIFIED} c "
                "WHERE c.category = 'C' AND c.pending_to IS NULL"
            ),
            {"u": self.union_id, "j": job_id, "who": who, "now": now},
        ).rowcount
