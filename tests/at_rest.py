"""What a database holds at rest (issue 14): a scan of every value of every table for clear ID
numbers — the ones a test used, and anything shaped like a full resident ID number."""

from __future__ import annotations

import json

from sqlalchemy import inspect, text

from tests.system import FULL_RESIDENT_ID_TEXT


def clear_id_numbers(engine, numbers=()) -> list[str]:
    """`table.column: value` for every value (outbox, inbox and alembic's tables included; JSON,
    numbers and dates as their text) that holds one of `numbers` or a full resident ID number."""
    found = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    shown = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
                    if any(n in shown for n in numbers) or FULL_RESIDENT_ID_TEXT.search(shown):
                        found.append(f"{table}.{column}: {shown[:4]}…")
    return found
