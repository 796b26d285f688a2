"""Keeping a local copy of another service's facts (a read model) from state-carrying events.

Events carry the whole current state and a version; the copy only moves forward, so a late,
reordered or replayed event never overwrites newer facts."""
from __future__ import annotations

from sqlalchemy import insert, select, update


def upsert_if_newer(session, table, key: dict, values: dict, version_column: str = "version") -> bool:
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
