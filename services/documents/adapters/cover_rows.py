"""Writing the covers documents keeps (参保凭证): one statement per part of a submission, a part
seen before inserting nothing (PostgreSQL or SQLite)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from services.documents.adapters.orm import CoverView


def insert_covers(session, rows: list[dict]) -> None:
    """The rows sent as parameters of one cached statement (executemany: SQLAlchemy batches it as
    multi-row VALUES), not `.values(rows)`, which compiled a new statement for every part, nor
    the ORM's bulk insert: that was a third of the documents worker's CPU in a season (decision
    0049)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    table = CoverView.__table__
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    session.execute(statement.on_conflict_do_nothing(index_elements=["submission_id", "member_id"]), rows)
