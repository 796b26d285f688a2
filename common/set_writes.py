"""Many rows of one table written by one statement on PostgreSQL: every column one array
parameter, `unnest` making them rows again (decision 0049, round two). The statement's text is the
same for every set (compiled once, prepared by psycopg after a few runs) and the server runs it
once; an executemany runs its INSERT once a row, and SQLAlchemy's multi-row VALUES
("insertmanyvalues") built a new statement of thousands of parameters for every set, which cost
the season's consumers more CPU than it saved. Values go through their column type's bind
processing, as in any INSERT (a sealed column is sealed)."""

from __future__ import annotations

import re
from typing import Any

# an explicit cast to VARCHAR(n) or CHAR(n) would cut a longer value silently; cast to VARCHAR or
# BPCHAR, and the column's own length refuses it on insert, as it would a row's value
_VARCHAR = re.compile(r"^(?:VARCHAR|CHARACTER VARYING)\(\d+\)$", re.IGNORECASE)
_CHAR = re.compile(r"^(?:CHAR|CHARACTER)\(\d+\)$", re.IGNORECASE)


def _type_name(column: Any, dialect: Any) -> str:
    name = str(column.type.compile(dialect=dialect))
    return "VARCHAR" if _VARCHAR.match(name) else "BPCHAR" if _CHAR.match(name) else name


def set_writable(table: Any, columns: list[str], dialect: Any) -> bool:
    """Whether every column is a scalar type an array parameter can carry (not JSON, not an array)."""
    names = [_type_name(table.c[c], dialect).upper() for c in columns]
    return all("[]" not in name and "JSON" not in name for name in names)


def column_arrays(table: Any, columns: list[str], rows: list[dict[str, Any]], dialect: Any) -> dict[str, list[Any]]:
    """The rows as one list a column (None where a row has no value), each value bind-processed."""
    arrays: dict[str, list[Any]] = {}
    for c in columns:
        process = table.c[c].type.bind_processor(dialect)
        values = [row.get(c) for row in rows]
        arrays[c] = [process(v) for v in values] if process is not None else values
    return arrays


def unnest_insert_sql(table: Any, columns: tuple[str, ...], dialect: Any) -> str:
    """`INSERT INTO table (columns) SELECT * FROM unnest(CAST(:column AS type[]), …)`."""
    names = ", ".join(f'"{table.c[c].name}"' for c in columns)  # a column's key may differ from its name
    arrays = ", ".join(f"CAST(:{c} AS {_type_name(table.c[c], dialect)}[])" for c in columns)
    return f'INSERT INTO "{table.name}" ({names}) SELECT * FROM unnest({arrays})'
