"""Database plumbing: one engine per service, from its own URL, and the unit of work that
commits a change together with the events it causes (the outbox) in one transaction."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Table, create_engine, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from common import clock


def _private_sqlite_file(url: str) -> None:
    """Make the database file owner-only before SQLite makes it (0644 under a usual umask); its
    -wal and -shm files take the database file's mode."""
    import os

    from sqlalchemy.engine import make_url

    from common.config import PRIVATE_FILE

    path = make_url(url).database
    if path and path != ":memory:" and not path.startswith("file:") and not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Take transaction control from pysqlite so that writes can BEGIN IMMEDIATE:
            # several processes share one file in the embedded mode and must queue, not fail.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    ping_after = kwargs.pop("ping_after", PING_AFTER_IDLE_SECONDS)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    ping_when_idle(engine, ping_after)
    return engine


# A pooled connection used within the last few seconds is taken as it is; one idle for longer is
# pinged first (`SELECT 1`'s round trip), and replaced if the server has gone. SQLAlchemy's
# `pool_pre_ping` pinged before *every* checkout: one more round trip per request, in every web
# process and in PostgreSQL (docs/decisions/0048-request-cost.md). A connection that breaks within
# this window fails its one statement; SQLAlchemy then sees the disconnect and drops the whole
# pool, so the next checkout opens fresh connections.
PING_AFTER_IDLE_SECONDS = 5.0


def ping_when_idle(engine: Engine, after: float) -> None:
    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_from"] = time.monotonic()  # a new connection has just answered

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_from = record.info.get("idle_from")
        if idle_from is not None and time.monotonic() - idle_from < after:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # whatever the driver raises, the connection is unusable
            raise DisconnectionError(str(exc)[:200]) from exc
        if not alive:
            raise DisconnectionError("the connection did not answer its ping")


def envelope(
    event_type: str, data: dict[str, Any], producer: str, schema_version: int = 1, event_id: str | None = None
) -> dict[str, Any]:
    """Every event on the bus: id, type, occurred_at, schema version, producer, data."""
    return {
        "id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": clock.now().astimezone(UTC).isoformat(),
        "schema_version": schema_version,
        "producer": producer,
        "data": data,
    }


COPY_FROM = 50  # rows: below this one multi-row INSERT is as quick, and works on SQLite too


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows of one table in one go, in the session's transaction: COPY on PostgreSQL when
    there are many (a 10,000-row executemany costs ~4× COPY here, issue 16), else one multi-row
    INSERT. Every row has the same keys. Through the connection, not the ORM: no autoflush, and
    no ORM hooks fire (a hook that writes held rows may call this)."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql" and len(rows) > COPY_FROM:
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        raw: Any = conn.connection.dbapi_connection  # psycopg's own connection: COPY is its API
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    conn.execute(insert(table), rows)


class UoW(Protocol):
    """What a handler may use of its unit of work (`uow`, the first argument of every handler):
    the session for its rows, the events it publishes, commit and rollback. `UnitOfWork` below is
    the real one (PostgreSQL/SQLite, the outbox); tests/unit/fakes.py `FakeUnitOfWork` keeps
    rows and events in memory for handler tests without a database."""

    session: Session
    producer: str
    batch: list[dict[str, Any]]  # a consumer's deliveries being applied in this transaction

    @property
    def pending(self) -> list[dict[str, Any]]:
        """The events published in this transaction and not yet committed (their envelopes)."""
        ...

    # what this transaction remembers of its own reads (a consumer's batch asks once): forgotten
    # when it commits or rolls back
    memo: dict[str, Any]

    def publish(self, event_type: str, data: dict[str, Any], schema_version: int = 1) -> dict[str, Any]: ...
    def hold(self, table: Table, row: dict[str, Any]) -> None: ...
    def held(self, table: Table) -> list[dict[str, Any]]: ...
    def publish_many(self, events: list[tuple[str, dict[str, Any]]]) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def fresh(self) -> UoW: ...
    def __enter__(self) -> UoW: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class UnitOfWork:
    """One business transaction: the session, and the events it will publish.

    `publish()` writes to the outbox table in the same transaction as the change, so either
    both happen or neither does; the relay sends them later."""

    def __init__(self, session_factory: sessionmaker[Session], producer: str, outbox_table: Table):
        self._session_factory = session_factory
        self.producer = producer
        self._outbox = outbox_table
        # set by __enter__: a handler is only ever given an entered unit of work
        self.session: Session = None  # type: ignore[assignment]
        self._pending: list[dict[str, Any]] = []
        self._held: dict[Table, list[dict[str, Any]]] = {}
        self.memo: dict[str, Any] = {}
        self.batch: list[dict[str, Any]] = []  # a consumer's deliveries being applied in this transaction

    def fresh(self) -> UnitOfWork:
        """Another unit of work on the same database, for a handler that must commit in several
        transactions (an upload job reporting progress while it works)."""
        return UnitOfWork(self._session_factory, self.producer, self._outbox)

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self._pending = []
        self._held = {}
        self.memo = {}
        # however the transaction is committed (uow.commit() or the session's own commit)
        event.listen(self.session, "before_commit", self._write_pending)
        # held rows are written before any ORM statement, so a read in the transaction finds them
        event.listen(self.session, "do_orm_execute", self._write_held_before)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            # Detach what was loaded so it can still be read (serialised) after the block,
            # then undo anything uncommitted.
            self.session.expunge_all()
            self._pending, self._held, self.memo = [], {}, {}
            self.session.rollback()
        finally:
            self.session.close()

    @property
    def pending(self) -> list[dict[str, Any]]:
        """The events published in this transaction and not yet written to the outbox."""
        return [json.loads(row["payload"]) for row in self._pending]

    def publish(self, event_type: str, data: dict[str, Any], schema_version: int = 1) -> dict[str, Any]:
        env = envelope(event_type, data, self.producer, schema_version)
        # Held until the transaction commits, then written in one multi-row INSERT (still in the
        # same transaction as the change): a consumer applying a batch of deliveries no longer
        # flushes the session and inserts one outbox row per event (issue 16: pricing 10,000
        # submissions). A rollback forgets them with the change.
        self._pending.append(
            {
                "event_id": env["id"],
                "type": event_type,
                "payload": json.dumps(env, ensure_ascii=False),
                "created_at": clock.real_utcnow_naive(),
            }
        )
        return env

    def hold(self, table: Table, row: dict[str, Any]) -> None:
        """A row written later in this transaction, together with the others of its table (COPY,
        see `insert_rows`): before the transaction commits, or before any ORM statement it runs,
        so a reader in the same transaction still finds it. A consumer applying 10,000 deliveries
        builds no ORM object and flushes no unit of work per row (issue 16: billing's pricing)."""
        self._held.setdefault(table, []).append(row)

    def held(self, table: Table) -> list[dict[str, Any]]:
        """The rows of `table` held and not yet written."""
        return list(self._held.get(table, []))

    def _write_held(self, session: Session) -> None:
        held, self._held = self._held, {}
        for table, rows in held.items():
            insert_rows(session, table, rows)

    def _write_held_before(self, state: ORMExecuteState) -> None:
        if self._held:
            self._write_held(state.session)

    def _write_pending(self, session: Session) -> None:
        self._write_held(session)
        self.memo = {}
        if self._pending:
            rows, self._pending = self._pending, []
            insert_rows(session, self._outbox, rows)

    def publish_many(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Many events in one go (bulk moves of a sync): one multi-row INSERT, or COPY on
        PostgreSQL when there are many — still in the same transaction as the change."""
        if not events:
            return
        self._write_pending(self.session)  # the events published before these go first
        created = clock.real_utcnow_naive()
        rows = []
        for event_type, data in events:
            env = envelope(event_type, data, self.producer)
            rows.append(
                {
                    "event_id": env["id"],
                    "type": event_type,
                    "payload": json.dumps(env, ensure_ascii=False),
                    "created_at": created,
                }
            )
        insert_rows(self.session, self._outbox, rows)

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self._pending, self._held, self.memo = [], {}, {}
        self.session.rollback()


if TYPE_CHECKING:
    _real: type[UoW] = UnitOfWork  # mypy holds the real unit of work to the protocol handlers see
