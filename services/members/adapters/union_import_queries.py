"""Reads of 工会批量导入 (decision 0039): which of a file's many codes, names and user names the
directory or a pending 组织注册 already holds — one array parameter on PostgreSQL, never thousands
of parameters a statement — and ids taken from a table's own sequence for COPY."""

from __future__ import annotations

from sqlalchemy import ARRAY, String, any_, bindparam, select, text

from services.members.adapters.orm import District, GrassrootsUnion, UnionRegistration

_SET_CHUNK = 5_000  # values one SQLite query names at once (bind parameters are capped)


def _among(session, column, values: list[str], *where) -> set[str]:
    """Which of these values the column holds: on PostgreSQL one array parameter (`= ANY`), not
    thousands of parameters a statement (psycopg parses such a statement's text each time)."""
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam("values", list(values), type_=ARRAY(String))
        return set(session.scalars(select(column).where(column == any_(array), *where)))
    found: set[str] = set()
    for start in range(0, len(values), _SET_CHUNK):
        chunk = values[start : start + _SET_CHUNK]
        found.update(session.scalars(select(column).where(column.in_(chunk), *where)))
    return found


def new_ids(session, table, count: int) -> list[int] | None:
    """`count` ids taken from the table's own sequence (PostgreSQL), for rows then written with
    COPY (common.db.insert_rows); None elsewhere (the caller inserts with RETURNING)."""
    if session.get_bind().dialect.name != "postgresql" or not count:
        return None
    return list(
        session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": count},
        )
    )


def district_ids_by_name(session) -> dict[str, int]:
    return dict(session.execute(select(District.name, District.id)).all())  # rows, not the Result (a mapping)


def credit_codes_taken(session, codes: list[str]) -> set[str]:
    """Which of these codes the directory holds."""
    return _among(session, GrassrootsUnion.credit_code, codes)


def union_names_taken(session, names: list[str]) -> set[str]:
    return _among(session, GrassrootsUnion.name, names)


def pending_registrations_holding(session, field: str, values: list[str]) -> set[str]:
    """Which of these values (credit_code, name or username) a pending 组织注册 holds."""
    return _among(session, getattr(UnionRegistration, field), values, UnionRegistration.state == "pending")
