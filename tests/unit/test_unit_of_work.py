"""The fake unit of work behaves as the real one where handlers can tell: events are pending
until commit and then kept (the real one in its outbox, on SQLite here: no server), a rollback
or a block left without commit forgets them, and rows reached by key are found again. If the two
drift apart, a handler test on the fake would pass for a handler the real one breaks."""

import json

import pytest
from sqlalchemy import Integer, MetaData, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from common.db import UnitOfWork, make_engine
from common.messaging_tables import add_messaging_tables
from tests.unit.fakes import FakeUnitOfWork


class Base(DeclarativeBase):
    metadata = MetaData()


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(20))


MESSAGING = add_messaging_tables(Base.metadata)


class Real:
    """The real unit of work on a SQLite file; `kept()` reads the outbox."""

    def __init__(self, tmp_path):
        self.engine = make_engine(f"sqlite:///{tmp_path / 'uow.db'}")
        Base.metadata.create_all(self.engine)
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False)

    def uow(self):
        return UnitOfWork(self.factory, "test", MESSAGING.outbox)

    def kept(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [
                json.loads(p) for p in conn.scalars(select(MESSAGING.outbox.c.payload).order_by(MESSAGING.outbox.c.id))
            ]


class Fake:
    """The fake; every `fresh()` one shares its rows and its committed events, as a database would."""

    def __init__(self, _tmp_path):
        self.first = FakeUnitOfWork("test")

    def uow(self):
        return self.first.fresh()

    def kept(self) -> list[dict]:
        return self.first.published


@pytest.fixture(params=[Real, Fake], ids=["real", "fake"])
def store(request, tmp_path):
    return request.param(tmp_path)


def test_an_event_is_pending_until_commit_then_kept(store):
    with store.uow() as uow:
        env = uow.publish("test.thing.made", {"n": 1})
        assert [e["id"] for e in uow.pending] == [env["id"]]
        assert store.kept() == []
        uow.commit()
        assert uow.pending == []
    assert [(e["id"], e["type"], e["data"], e["producer"]) for e in store.kept()] == [
        (env["id"], "test.thing.made", {"n": 1}, "test")
    ]


def test_a_rollback_or_a_block_left_without_commit_forgets_the_events(store):
    with store.uow() as uow:
        uow.publish("test.thing.made", {"n": 1})
        uow.rollback()
        assert uow.pending == []
        uow.commit()
    with store.uow() as uow:
        uow.publish("test.thing.made", {"n": 2})
    assert store.kept() == []


def test_many_events_keep_their_order(store):
    with store.uow() as uow:
        uow.publish("test.thing.made", {"n": 0})
        uow.publish_many([("test.thing.made", {"n": 1}), ("test.thing.renamed", {"n": 2})])
        uow.commit()
    assert [(e["type"], e["data"]["n"]) for e in store.kept()] == [
        ("test.thing.made", 0),
        ("test.thing.made", 1),
        ("test.thing.renamed", 2),
    ]


def test_a_row_added_is_numbered_and_found_by_key_in_the_next_unit_of_work(store):
    with store.uow() as uow:
        thing = Thing(name="一")
        uow.session.add(thing)
        uow.session.flush()
        assert thing.id == 1
        uow.commit()
    with store.uow() as uow:
        assert uow.session.get(Thing, 1).name == "一"
        assert uow.session.get(Thing, 2) is None


def test_a_row_written_and_rolled_back_is_not_there_afterwards(store):
    with store.uow() as uow:
        uow.session.add(Thing(name="一"))
        uow.session.flush()
        uow.rollback()
    with store.uow() as uow:
        uow.session.add(Thing(name="二"))
        uow.session.flush()
    with store.uow() as uow:  # left without commit: gone too
        assert uow.session.get(Thing, 1) is None
