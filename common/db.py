"""Database plumbing: one engine per service, from its own URL, and the unit of work that
commits a change together with the events it causes (the outbox) in one transaction."""
from __future__ import annotations

import json
import uuid
from datetime import timezone

from sqlalchemy import create_engine, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

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


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
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
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    cache_long_statements()
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


LONG_STATEMENT_CACHE = 32  # statements
LONG_STATEMENT_MAX = 128 * 1024  # characters: a 100-row INSERT of members is ~50 KB


def cache_long_statements() -> None:
    """Let psycopg remember how it converted long statements too.

    psycopg turns every statement's `%(name)s` placeholders into PostgreSQL's `$n` in Python
    (`psycopg._queries._query2pg_nocache`: a regex split of the whole text) and caches the result
    only for statements of ≤ 4 KB with ≤ 50 parameters. SQLAlchemy sends the multi-row INSERTs
    of an import (a file's members and their outbox events, "insertmanyvalues") as long statements
    of one text per row count, so each was converted anew: 44 % of the members web process's CPU
    during the season's imports (py-spy --gil, issue 16). The conversion depends on the text and
    the encoding only, so a small LRU of its results (≤ 32 statements of ≤ 128 KB) returns the
    same answer. psycopg is pinned (requirements.txt); tests/unit/test_db_statement_cache.py
    fails if a new version moves the function, rather than this silently doing nothing."""
    from functools import lru_cache

    from psycopg import _queries

    if getattr(_queries._query2pg_nocache, "long_statement_cache", False):
        return
    plain = _queries._query2pg_nocache
    cached = lru_cache(maxsize=LONG_STATEMENT_CACHE)(plain)

    def convert(query: bytes, encoding: str):
        return cached(query, encoding) if len(query) <= LONG_STATEMENT_MAX else plain(query, encoding)

    convert.long_statement_cache = True
    _queries._query2pg_nocache = convert


def envelope(event_type: str, data: dict, producer: str, schema_version: int = 1,
             event_id: str | None = None) -> dict:
    """Every event on the bus: id, type, occurred_at, schema version, producer, data."""
    return {
        "id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": clock.now().astimezone(timezone.utc).isoformat(),
        "schema_version": schema_version,
        "producer": producer,
        "data": data,
    }


COPY_FROM = 50  # rows: below this one multi-row INSERT is as quick, and works on SQLite too


def insert_rows(session: Session, table, rows: list[dict]) -> None:
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
        with conn.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        return
    conn.execute(insert(table), rows)


class UnitOfWork:
    """One business transaction: the session, and the events it will publish.

    `publish()` writes to the outbox table in the same transaction as the change, so either
    both happen or neither does; the relay sends them later."""

    def __init__(self, session_factory: sessionmaker, producer: str, outbox_table):
        self._session_factory = session_factory
        self.producer = producer
        self._outbox = outbox_table
        self.session: Session | None = None
        self._pending: list[dict] = []
        self.batch: list[dict] = []  # a consumer's deliveries being applied in this transaction

    def fresh(self) -> "UnitOfWork":
        """Another unit of work on the same database, for a handler that must commit in several
        transactions (an upload job reporting progress while it works)."""
        return UnitOfWork(self._session_factory, self.producer, self._outbox)

    def __enter__(self) -> "UnitOfWork":
        self.session = self._session_factory()
        self._pending = []
        # however the transaction is committed (uow.commit() or the session's own commit)
        event.listen(self.session, "before_commit", self._write_pending)
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            # Detach what was loaded so it can still be read (serialised) after the block,
            # then undo anything uncommitted.
            self.session.expunge_all()
            self._pending = []
            self.session.rollback()
        finally:
            self.session.close()

    def publish(self, event_type: str, data: dict, schema_version: int = 1) -> dict:
        env = envelope(event_type, data, self.producer, schema_version)
        # Held until the transaction commits, then written in one multi-row INSERT (still in the
        # same transaction as the change): a consumer applying a batch of deliveries no longer
        # flushes the session and inserts one outbox row per event (issue 16: pricing 10,000
        # submissions). A rollback forgets them with the change.
        self._pending.append({"event_id": env["id"], "type": event_type,
                              "payload": json.dumps(env, ensure_ascii=False),
                              "created_at": clock.real_utcnow_naive()})
        return env

    def _write_pending(self, session) -> None:
        if self._pending:
            rows, self._pending = self._pending, []
            insert_rows(session, self._outbox, rows)

    def publish_many(self, events: list[tuple[str, dict]]) -> None:
        """Many events in one go (bulk moves of a sync): one multi-row INSERT, or COPY on
        PostgreSQL when there are many — still in the same transaction as the change."""
        if not events:
            return
        self._write_pending(self.session)  # the events published before these go first
        created = clock.real_utcnow_naive()
        rows = []
        for event_type, data in events:
            env = envelope(event_type, data, self.producer)
            rows.append({"event_id": env["id"], "type": event_type,
                         "payload": json.dumps(env, ensure_ascii=False), "created_at": created})
        insert_rows(self.session, self._outbox, rows)

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self._pending = []
        self.session.rollback()
