"""Keeping a local copy of another service's facts (a read model) from state-carrying events.

Events carry the whole current state and a version; the copy only moves forward, so a late,
reordered or replayed event never overwrites newer facts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from common.set_writes import column_arrays, set_writable, unnest_insert_sql


def upsert_if_newer(
    session: Session, table: Any, key: dict[str, Any], values: dict[str, Any], version_column: str = "version"
) -> bool:
    """Insert the row, or update it when `values[version_column]` is newer. Returns True if applied."""
    table = getattr(table, "__table__", table)
    where = [table.c[k] == v for k, v in key.items()]
    current = session.execute(select(table.c[version_column]).where(*where)).scalar()
    if current is None:
        session.execute(insert(table).values(**key, **values))
        return True
    if values[version_column] > current:
        session.execute(update(table).where(*where).values(**values))
        return True
    return False


def upsert_many_if_newer(
    session: Session, table: Any, key_column: str, rows: list[dict[str, Any]], version_column: str = "version"
) -> None:
    """`upsert_if_newer` for many rows in one statement (PostgreSQL or SQLite): each row is
    inserted, or replaces the stored one when its version is newer. Of several rows with one key,
    the newest counts."""
    from sqlalchemy.dialects import postgresql, sqlite

    table = getattr(table, "__table__", table)
    newest: dict[str, Any] = {}
    for row in rows:
        known = newest.get(row[key_column])
        if known is None or row[version_column] > known[version_column]:
            newest[row[key_column]] = row
    if not newest:
        return
    dialect = session.get_bind().dialect
    values = list(newest.values())
    columns = [c for c in values[0] if c != key_column]
    if dialect.name == "postgresql" and set_writable(table, [key_column, *columns], dialect):
        # one statement for the whole set: every column one array parameter, `unnest` makes them
        # rows again — its text the same for every batch (compiled once, prepared by psycopg),
        # run once on the server; an executemany ran it once a row (decision 0049, round two)
        upsert = _unnest_upsert(table, key_column, tuple(columns), version_column, dialect)
        session.execute(upsert, column_arrays(table, [key_column, *columns], values, dialect))
        return
    make = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect.name]
    # one statement sent with every row, compiled once and cached; `.values(rows)` compiled a new
    # statement for every batch, which was a third of the enrollment consumer's CPU in the season
    # (issue 16)
    statement: Any = make(table)  # PostgreSQL's or SQLite's INSERT: both have ON CONFLICT
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[key_column]],
        set_={c: statement.excluded[c] for c in columns},
        where=table.c[version_column] < statement.excluded[version_column],
    )
    session.execute(statement, values)


_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def _unnest_upsert(table: Any, key_column: str, columns: tuple[str, ...], version_column: str, dialect: Any) -> Any:
    cache_key = (table, key_column, columns, version_column)
    statement = _STATEMENTS.get(cache_key)
    if statement is None:
        name = {c: table.c[c].name for c in (key_column, version_column, *columns)}
        updates = ", ".join(f'"{name[c]}" = EXCLUDED."{name[c]}"' for c in columns)
        statement = text(
            unnest_insert_sql(table, (key_column, *columns), dialect)
            + f' ON CONFLICT ("{name[key_column]}") DO UPDATE SET {updates}'
            + f' WHERE "{table.name}"."{name[version_column]}" < EXCLUDED."{name[version_column]}"'
        )
        _STATEMENTS[cache_key] = statement
    return statement
