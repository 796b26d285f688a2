"""Writing the covers documents keeps (参保凭证): one statement per part of a submission, a part
seen before inserting nothing (PostgreSQL or SQLite)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from services.documents.adapters.orm import CoverView


def insert_covers(session, rows: list[dict]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(CoverView)
    session.execute(statement.values(rows).on_conflict_do_nothing(index_elements=["submission_id", "member_id"]))
