"""Demo data for the embedded mode: the 2020 price table exactly as SPEC §4, the same prices for
the demo cover years (this year and next, which enrollment's demo lays out around today), and
the demo district's premium split for them (the guide's example shares). Idempotent."""

from __future__ import annotations

from common import clock
from common.identity import Identity
from services.billing.domain.split import Shares

CENTRE = Identity(user="seed", role="centre", request_id="seed")
DEMO_SHARES = {  # per person, full year (fen): district / grassroots
    "A": Shares(0, 1300),
    "A+": Shares(6300, 0),
    "B": Shares(2500, 2500),
    "B+": Shares(5000, 5000),
}


def seed(district_id: int, union_ids: list[int]) -> None:
    from sqlalchemy import select

    from services.billing.adapters.orm import PriceTableRow, Split
    from services.billing.bootstrap import runtime
    from services.billing.domain.prices import price_table_2020
    from services.billing.handlers import prices, splits

    today = clock.today()
    for year in (2020, today.year, today.year + 1):
        with runtime.uow() as uow:
            if uow.session.get(PriceTableRow, year) is None:
                prices.set_price_table(uow, CENTRE, year, price_table_2020())
    for year in (today.year, today.year + 1):
        with runtime.uow() as uow:
            if uow.session.scalar(select(Split.id).where(Split.cover_year == year, Split.district_id == district_id)):
                continue
            splits.save_split(uow, CENTRE.user, year, district_id, DEMO_SHARES)
