"""Districts' splits carried as proposals (开启下一年度, decision 0043): in a new year's split
window a district sees last year's split — its defaults and its unions' own — proposed for this
year's prices; it saves them as they are or changes them through the ordinary split PUT. Nothing
is saved here."""

from __future__ import annotations

from sqlalchemy import select

from common.db import UoW
from common.errors import NotFound, ValidationFailed
from common.identity import Identity
from services.billing.adapters.orm import Split
from services.billing.adapters.queries import is_special
from services.billing.adapters.rates import load_price_table
from services.billing.domain.split import Shares, carried_shares


def propose_split(uow: UoW, who: Identity, year: int, district_id: int | None = None) -> dict:
    """Last year's split of the district, each row as this year's proposal: the shares proposed,
    last year's, whether this year already has a saved row for it, and why it differs (prices)."""
    if who.role == "district":
        district_id = who.district_id
    elif district_id is None:
        raise ValidationFailed({"district_id": ["请指定区局（产业）工会"]})
    else:
        who.check_district(district_id)
    this_table = load_price_table(uow.session, year)
    if this_table is None:
        raise NotFound(f"{year} 年度的价格表尚未设置", code="PRICES_NOT_SET")
    last_year = year - 1
    last_table = load_price_table(uow.session, last_year)
    special = is_special(uow.session, district_id)

    def rows(cover_year: int) -> list[Split]:
        return list(
            uow.session.scalars(
                select(Split)
                .where(Split.cover_year == cover_year, Split.district_id == district_id)
                .order_by(Split.union_id, Split.cover_type)
            )
        )

    saved = {(r.union_id, r.cover_type) for r in rows(year)}
    proposals = []
    for row in rows(last_year) if last_table is not None else []:
        last_shares = Shares(row.district_fen, row.grassroots_fen)
        shares, why = carried_shares(
            last_table[(row.cover_type, "centralised")],
            this_table[(row.cover_type, "centralised")],
            special,
            last_shares,
        )
        proposals.append(
            {
                "union_id": row.union_id or None,
                "type": row.cover_type,
                "district_share_fen": shares.district_fen,
                "grassroots_share_fen": shares.grassroots_fen,
                "last_district_share_fen": row.district_fen,
                "last_grassroots_share_fen": row.grassroots_fen,
                "saved_this_year": (row.union_id, row.cover_type) in saved,
                "why": why or f"按 {last_year} 年度设置沿用",
            }
        )
    return {"cover_year": year, "from_year": last_year, "district_id": district_id, "proposals": proposals}
