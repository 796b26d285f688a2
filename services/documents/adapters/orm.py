"""The documents service's tables (its own database)."""
from __future__ import annotations

from sqlalchemy import Boolean, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.messaging_tables import add_messaging_tables


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s", "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s"})


messaging = add_messaging_tables(Base.metadata)


class DistrictView(Base):
    """Read model of members' districts (区局/产业工会), from members.district.* events."""
    __tablename__ = "district_view"
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    special_industry: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)


class UnionView(Base):
    """Read model of members' grassroots unions (基层工会), from members.union.* events."""
    __tablename__ = "union_view"
    union_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    district_id: Mapped[int] = mapped_column(Integer, index=True)
    contact_person: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
