"""A read model's set upsert on PostgreSQL (common/set_writes.py, decision 0049 round two): one
INSERT … SELECT FROM unnest(arrays) writes every row's values as a row-at-a-time INSERT would —
nulls, dates, zone-aware times, booleans, a too-long text refused whole — and the newest version
of a key wins, whether stored before or sent in the same set."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Boolean, Column, Date, DateTime, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from common.readmodel import upsert_many_if_newer

metadata = MetaData()
view = Table(
    "a_view",
    metadata,
    Column("member_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(5)),
    Column("card_issued_on", Date, nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=True),
    Column("removed", Boolean),
    Column("version", Integer),
)


@pytest.fixture
def engine(database):
    engine = create_engine(database("setwrites"))
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _row(member_id: int, version: int, name: str = "张三", **over) -> dict:
    row = {
        "member_id": member_id,
        "name": name,
        "card_issued_on": None,
        "recorded_at": None,
        "removed": False,
        "version": version,
    }
    row.update(over)
    return row


def _stored(engine) -> dict[int, tuple]:
    with engine.connect() as conn:
        return {r[0]: tuple(r[1:]) for r in conn.execute(select(view).order_by(view.c.member_id))}


def test_a_set_is_written_whole_and_the_newest_version_of_each_key_wins(engine):
    when = datetime(2020, 3, 1, 8, 30, tzinfo=UTC)
    with Session(engine) as session:
        upsert_many_if_newer(session, view, "member_id", [_row(1, 2, name="旧"), _row(2, 1), _row(3, 5, name="新的")])
        session.commit()
    with Session(engine) as session:
        upsert_many_if_newer(
            session,
            view,
            "member_id",
            [
                _row(1, 3, card_issued_on=date(2020, 2, 1), recorded_at=when, removed=True),  # newer: applied
                _row(1, 1, name="最旧"),  # older than the one beside it: ignored
                _row(2, 1, name="重复"),  # the stored version again: nothing changes
                _row(3, 4, name="迟到"),  # older than stored: ignored
                _row(4, 1, name=None),  # new, with a null
            ],
        )
        session.commit()
    assert _stored(engine) == {
        1: ("张三", date(2020, 2, 1), when, True, 3),
        2: ("张三", None, None, False, 1),
        3: ("新的", None, None, False, 5),
        4: (None, None, None, False, 1),
    }


def test_a_value_longer_than_its_column_is_refused_and_nothing_of_the_set_is_written(engine):
    with Session(engine) as session, pytest.raises(DataError):
        upsert_many_if_newer(session, view, "member_id", [_row(1, 1), _row(2, 1, name="六个字的名字")])
    assert _stored(engine) == {}
