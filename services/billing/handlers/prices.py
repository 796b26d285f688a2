"""Price tables (保障价格表): loading, setting and reading a cover year's prices."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from services.billing import contracts
from services.billing.adapters.orm import PriceEntry, PriceTableRow, Split
from services.billing.adapters.rates import load_price_table
from services.billing.domain.prices import COVER_TYPES, PRICE_CLASSES, Price, price_table_errors


def set_price_table(uow: UoW, who: Identity, year: int, table: dict[tuple[str, str], Price]) -> PriceTableRow:
    """The centre sets a cover year's prices. Once a district has split a year's premiums the
    table is fixed (changing it would unbalance every split)."""
    who.require("centre")
    errors = price_table_errors(table)
    if errors:
        raise ValidationFailed(errors)
    current = load_price_table(uow.session, year)
    if (
        current is not None
        and current != table
        and uow.session.scalar(select(func.count()).select_from(Split).where(Split.cover_year == year))
    ):
        raise Conflict(f"{year} 年度已有区局设置了保障金额分摊，价格表不能再修改", code="PRICES_IN_USE")
    row = uow.session.get(PriceTableRow, year)
    now = clock.utcnow_naive()
    if row is None:
        row = PriceTableRow(cover_year=year, version=0, updated_at=now, updated_by=who.user)
        uow.session.add(row)
        try:
            uow.session.flush()
        except IntegrityError:
            uow.rollback()
            raise Conflict("另一位经办人同时保存了价格表，请刷新后重试", code="PRICES_CONCURRENT") from None
    else:
        uow.session.refresh(row, with_for_update=True)
    for (cover_type, price_class), price in table.items():
        entry = uow.session.get(PriceEntry, (year, cover_type, price_class))
        if entry is None:
            entry = PriceEntry(cover_year=year, cover_type=cover_type, price_class=price_class)
            uow.session.add(entry)
        entry.premium_fen = price.premium_fen
        entry.city_subsidy_fen = price.city_subsidy_fen
        entry.special_city_subsidy_fen = price.special_city_subsidy_fen
    row.version += 1
    row.updated_at, row.updated_by = now, who.user
    uow.publish(
        contracts.PRICES_PUBLISHED,
        {
            "cover_year": year,
            "version": row.version,
            "entries": [
                {
                    "type": t,
                    "price_class": c,
                    "premium_fen": table[(t, c)].premium_fen,
                    "city_subsidy_fen": table[(t, c)].city_subsidy_fen,
                    "special_city_subsidy_fen": table[(t, c)].special_city_subsidy_fen,
                }
                for t in COVER_TYPES
                for c in PRICE_CLASSES
            ],
        },
    )
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict("另一位经办人同时保存了价格表，请刷新后重试", code="PRICES_CONCURRENT") from None
    return row


def get_price_table(uow: UoW, year: int) -> dict:
    row = uow.session.get(PriceTableRow, year)
    if row is None:
        raise NotFound(f"{year} 年度的价格表尚未设置", code="PRICES_NOT_SET")
    table = load_price_table(uow.session, year)
    return {
        "cover_year": year,
        "version": row.version,
        "entries": [
            {
                "type": t,
                "price_class": c,
                "premium_fen": table[(t, c)].premium_fen,
                "city_subsidy_fen": table[(t, c)].city_subsidy_fen,
                "special_city_subsidy_fen": table[(t, c)].special_city_subsidy_fen,
            }
            for t in COVER_TYPES
            for c in PRICE_CLASSES
            if (t, c) in table
        ],
    }
