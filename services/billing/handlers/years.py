"""历年对比: years side by side for the centre and a district (decision 0043)."""

from __future__ import annotations

import json

from common.db import UoW
from common.identity import Identity
from services.billing.adapters.queries import list_batches
from services.billing.domain.allocation import money_received_fen
from services.billing.domain.years import BatchFigures, side_by_side


def years_side_by_side(uow: UoW, who: Identity, district_id: int | None = None) -> dict:
    """Per year and type, headcount and premium of the batches in scope, money received, each
    with the change from the year before (centre: all districts, or one; district: its own)."""
    who.require("centre", "district")
    if who.role == "district":
        district_id = who.district_id
    elif district_id is not None:
        who.check_district(district_id)
    figures = [
        BatchFigures(
            b.cover_year,
            b.status == "overdue",
            money_received_fen(b),
            {t["type"]: (int(t["headcount"]), int(t["premium_fen"])) for t in json.loads(b.by_type)},
        )
        for b in list_batches(uow.session, who, district_id=district_id)
    ]
    return {"district_id": district_id, "years": side_by_side(figures)}
