"""Rows held by the unit of work (`UnitOfWork.hold`, billing's ledger lines and priced
submissions): written before the next statement of the same transaction reads, written at commit,
forgotten by a rollback; the memo lives for one transaction. On SQLite: no server."""

from sqlalchemy import Integer, MetaData, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from common.db import UnitOfWork, make_engine
from common.messaging_tables import add_messaging_tables


class Base(DeclarativeBase):
    metadata = MetaData()


class Line(Base):
    __tablename__ = "lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note: Mapped[str] = mapped_column(String(20))


MESSAGING = add_messaging_tables(Base.metadata)


def _uow(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'held.db'}")
    Base.metadata.create_all(engine)
    return engine, UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False), "test", MESSAGING.outbox)


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Line))


def test_held_rows_are_read_in_their_transaction_and_written_at_commit(tmp_path):
    engine, uow = _uow(tmp_path)
    with uow:
        uow.hold(Line.__table__, {"id": 1, "note": "one"})
        uow.hold(Line.__table__, {"id": 2, "note": "two"})
        assert [r["id"] for r in uow.held(Line.__table__)] == [1, 2]
        assert uow.session.scalar(select(func.count()).select_from(Line)) == 2  # written before the read
        assert uow.held(Line.__table__) == []
        uow.hold(Line.__table__, {"id": 3, "note": "three"})
        uow.memo["asked"] = True
        uow.commit()
        assert uow.memo == {}
    assert _count(engine) == 3


def test_a_rollback_forgets_held_rows_and_the_memo(tmp_path):
    engine, uow = _uow(tmp_path)
    with uow:
        uow.hold(Line.__table__, {"id": 1, "note": "one"})
        uow.memo["asked"] = True
        uow.rollback()
        assert uow.held(Line.__table__) == [] and uow.memo == {}
        uow.commit()
    with uow:
        uow.hold(Line.__table__, {"id": 2, "note": "two"})  # left without commit: forgotten too
    assert _count(engine) == 0
