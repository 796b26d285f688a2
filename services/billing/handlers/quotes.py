"""What a union pays, as the caller may see it: its per-person rates this year and a quote (试算)
of headcounts under them — computed by the very functions that price a submission."""

from __future__ import annotations

from common.db import UoW
from common.errors import NotFound, ValidationFailed
from common.identity import Identity
from services.billing.adapters.orm import UnionView
from services.billing.adapters.rates import effective_rates
from services.billing.domain.prices import COVER_TYPES, PRICE_CLASSES
from services.billing.domain.pricing import price_counts


def caller_union(uow: UoW, who: Identity, union_id: int | None) -> tuple[int, int | None]:
    """(district, union) whose rates the caller may see: a grassroots union its own; a district
    its default or one of its unions; the centre any union. Out of scope answers as unknown."""
    if who.role == "grassroots":
        union_id = who.union_id
    if union_id is None:
        if who.role != "district":
            raise ValidationFailed({"union_id": ["请指定基层工会"]})
        return who.district_id, None
    union = uow.session.get(UnionView, union_id)
    if union is None:
        raise NotFound()
    who.check_union(union.union_id, union.district_id)
    return union.district_id, union_id


def rates_for_caller(uow: UoW, who: Identity, year: int, union_id: int | None) -> dict:
    """Per-person rates a union pays this year (what enrollment shows; here for the pages)."""
    district_id, union_id = caller_union(uow, who, union_id)
    rates = effective_rates(uow.session, year, district_id, union_id)
    return {
        "cover_year": year,
        "district_id": district_id,
        "union_id": union_id,
        "rates": [
            {
                "type": t,
                "price_class": c,
                "premium_fen": r.premium_fen,
                "city_subsidy_fen": r.city_subsidy_fen,
                "district_share_fen": r.district_share_fen,
                "grassroots_share_fen": r.grassroots_share_fen,
            }
            for t, by_class in rates.items()
            for c, r in by_class.items()
        ],
    }


def quote(
    uow: UoW, who: Identity, year: int, cover_type: str, counts: dict[str, int], union_id: int | None = None
) -> dict:
    """试算: what headcounts per price class would cost a union under today's rates — the preview
    on the confirmation screen, computed by the very function that prices the submission."""
    if cover_type not in COVER_TYPES:
        raise ValidationFailed({"type": [f"保障类型须为 {'、'.join(COVER_TYPES)} 之一"]})
    unknown = [c for c in counts if c not in PRICE_CLASSES]
    if unknown:
        raise ValidationFailed({"counts": [f"未知的计价类别：{'、'.join(unknown)}"]})
    district_id, union_id = caller_union(uow, who, union_id)
    rates = effective_rates(uow.session, year, district_id, union_id)[cover_type]
    totals = price_counts({c: n for c, n in counts.items() if n}, rates)
    return {
        "cover_year": year,
        "type": cover_type,
        "union_id": union_id,
        "district_id": district_id,
        "counts": counts,
        **totals.as_dict(),
    }
