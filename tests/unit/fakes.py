"""A unit of work in memory (cosmicpython's FakeUnitOfWork), for handler tests with no server.

`FakeUnitOfWork` has what a handler may use of `common.db.UoW`: a session that keeps ORM rows by
class and primary key (`add`, `get`, `flush` numbering new rows, `delete`), the events published
(`pending` until commit, then `published`), commit and rollback. A handler that issues SQL
(`execute`, `scalar`, `scalars`, …) cannot run here: the fake session refuses with
`NeedsDatabase`, naming the statement, and such a handler is tested over PostgreSQL in
tests/services until its reads go through a repository."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect

from common.db import UoW, envelope


class NeedsDatabase(AssertionError):
    """The handler issued SQL: it needs a database (or a repository) to run."""


class FakeSession:
    """Rows by class and primary key; ids numbered on flush as a sequence would."""

    def __init__(self) -> None:
        self.rows: dict[type, dict[Any, Any]] = {}
        self.new: list[Any] = []
        self.flushed: list[Any] = []  # written in this transaction: a rollback takes them back
        self.deleted: list[Any] = []
        self.info: dict[str, Any] = {}
        self._ids = itertools.count(1)

    # what a handler may use ------------------------------------------------------------
    def add(self, instance: Any) -> None:
        if instance not in self.new:
            self.new.append(instance)

    def add_all(self, instances: list[Any]) -> None:
        for instance in instances:
            self.add(instance)

    def get(self, cls: type, key: Any, **_options: Any) -> Any:
        self.flush()
        return self.rows.get(cls, {}).get(key)

    def delete(self, instance: Any) -> None:
        self.deleted.append(instance)
        self.rows.get(type(instance), {}).pop(_key(instance), None)

    def flush(self) -> None:
        for instance in self.new:
            mapper = inspect(type(instance))
            for column in mapper.primary_key:
                attribute = mapper.get_property_by_column(column).key
                if getattr(instance, attribute) is None and column.autoincrement in (True, "auto"):
                    setattr(instance, attribute, next(self._ids))
            self.rows.setdefault(type(instance), {})[_key(instance)] = instance
            self.flushed.append(instance)
        self.new = []

    def commit(self) -> None:
        self.flush()
        self.flushed = []

    def rollback(self) -> None:
        for instance in self.flushed:
            self.rows.get(type(instance), {}).pop(_key(instance), None)
        self.new, self.flushed = [], []

    @property
    @contextmanager
    def no_autoflush(self) -> Iterator[FakeSession]:
        yield self

    def expunge_all(self) -> None:
        pass

    def close(self) -> None:
        pass

    def all(self, cls: type) -> list[Any]:
        """Every row of a class (for the test's assertions)."""
        self.flush()
        return list(self.rows.get(cls, {}).values())

    # SQL: not here ---------------------------------------------------------------------
    def _sql(self, statement: Any = None, *args: Any, **kwargs: Any) -> Any:
        raise NeedsDatabase(f"the handler issued SQL (needs a database or a repository): {statement}")

    execute = scalar = scalars = query = connection = get_bind = _sql


def _key(instance: Any) -> Any:
    mapper = inspect(type(instance))
    values = tuple(getattr(instance, mapper.get_property_by_column(c).key) for c in mapper.primary_key)
    return values[0] if len(values) == 1 else values


class FakeUnitOfWork:
    """In memory: rows in `session`, events in `pending` until `commit()`, then in `published`."""

    def __init__(
        self, producer: str = "test", session: FakeSession | None = None, published: list[dict[str, Any]] | None = None
    ) -> None:
        self.session: Any = session or FakeSession()
        self.producer = producer
        self.batch: list[dict[str, Any]] = []
        self._pending: list[dict[str, Any]] = []
        self._held: dict[Any, list[dict[str, Any]]] = {}
        self.written: dict[Any, list[dict[str, Any]]] = {}  # held rows committed, by table
        self.memo: dict[str, Any] = {}
        self.published: list[dict[str, Any]] = []
        self.commits = 0
        self.rollbacks = 0
        if published is not None:  # the events committed (the outbox): shared by `fresh()` ones
            self.published = published

    @property
    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending)

    def publish(self, event_type: str, data: dict[str, Any], schema_version: int = 1) -> dict[str, Any]:
        env = envelope(event_type, data, self.producer, schema_version)
        self._pending.append(env)
        return env

    def hold(self, table: Any, row: dict[str, Any]) -> None:
        self._held.setdefault(table, []).append(row)

    def held(self, table: Any) -> list[dict[str, Any]]:
        return list(self._held.get(table, []))

    def publish_many(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        for event_type, data in events:
            self.publish(event_type, data)

    def commit(self) -> None:
        self.session.commit()
        self.published += self._pending
        self._pending = []
        for table, rows in self._held.items():  # held rows are written at commit, as the real one does
            self.written.setdefault(table, []).extend(rows)
        self._held, self.memo = {}, {}
        self.commits += 1

    def rollback(self) -> None:
        self._pending, self._held, self.memo = [], {}, {}
        self.session.rollback()
        self.rollbacks += 1

    def fresh(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.producer, self.session, self.published)

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._pending = []  # uncommitted: forgotten, as the real one rolls back
        self.session.rollback()

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """The committed events' data, of one type or all."""
        return [e["data"] for e in self.published if event_type is None or e["type"] == event_type]


if TYPE_CHECKING:
    _fake: type[UoW] = FakeUnitOfWork  # mypy holds the fake to the protocol handlers see
