"""New members: what a member a union adds starts as (`new_member`), and many of them written in
one statement (批量导入会员's 1,000 rows). The ORM's batched INSERT … RETURNING took 0.86–1.06 s for 1,000 members on PostgreSQL — most of an import — against
0.21 s for the same rows with their ids taken from the sequence first and a plain executemany
(issue 17 item 4: the 1,000-row import ≤ 1 s); that executemany is now one INSERT … SELECT FROM
unnest(arrays) (common/set_writes.py, decision 0049 round two: 0.8× its CPU). The members stay
transient: an import only publishes their snapshots (contracts.member_data reads the attributes)
and commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, inspect, text

from common.set_writes import column_arrays, set_writable, unnest_insert_sql
from services.members.adapters.orm import Member


def new_member(clean: dict, union_id: int | None, now: datetime) -> Member:
    """A member as a union adds it (新增会员, or an import row): waiting for its district's review."""
    return Member(
        **clean,
        union_id=union_id,
        status="pending",
        synced=False,
        removed=False,
        version=1,
        created_at=now,
        updated_at=now,
    )


def insert_new_members(session, members: list[Member]) -> None:
    """Give each new member its id and write them all; SQLite (embedded) keeps the ORM's flush."""
    if not members:
        return
    if session.connection().dialect.name != "postgresql":
        session.add_all(members)
        session.flush()
        return
    ids = (
        session.execute(
            text("SELECT nextval(pg_get_serial_sequence('members', 'id')) FROM generate_series(1, :n)"),
            {"n": len(members)},
        )
        .scalars()
        .all()
    )
    for member, member_id in zip(members, ids, strict=False):
        member.id = member_id
    columns = [(prop.key, prop.columns[0].key) for prop in inspect(Member).column_attrs]
    states = [inspect(m).dict for m in members]
    given = [(attr, column) for attr, column in columns if any(attr in s for s in states)]  # unset: the column default
    rows = [{column: s.get(attr) for attr, column in given} for s in states]
    table = Member.__table__
    dialect = session.connection().dialect
    defaults = {c.key: c.default.arg for c in table.c if c.key not in rows[0] and c.default is not None}
    if all(not callable(value) for value in defaults.values()) and set_writable(table, list(rows[0]), dialect):
        # one INSERT … SELECT FROM unnest(arrays) for the whole file, the same text every time: an
        # executemany ran the INSERT once a row on the server (decision 0049, round two); the
        # columns' scalar defaults written as the Core INSERT would
        names = tuple(rows[0]) + tuple(defaults)
        arrays = column_arrays(table, list(rows[0]), rows, dialect)
        arrays.update({c: [value] * len(rows) for c, value in defaults.items()})
        session.execute(_insert_statement(names, dialect), arrays)
        return
    session.execute(insert(table), rows)


_INSERTS: dict[tuple[str, ...], Any] = {}


def _insert_statement(names: tuple[str, ...], dialect) -> Any:
    statement = _INSERTS.get(names)
    if statement is None:
        statement = _INSERTS[names] = text(unnest_insert_sql(Member.__table__, names, dialect))
    return statement
