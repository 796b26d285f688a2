"""Use cases of the billing service: consumed events and commands, each given a unit of work."""
from __future__ import annotations

from common.readmodel import upsert_if_newer
from services.billing.adapters.orm import DistrictView, UnionView

# ------------------------------------------------------------------ directory read model


def keep_district(uow, event: dict) -> None:
    """DistrictViewWhenDistrictRegistered/Updated."""
    d = event["data"]
    upsert_if_newer(uow.session, DistrictView, {"district_id": d["district_id"]},
                    {k: d[k] for k in ("name", "kind", "special_industry", "version")})


def keep_union(uow, event: dict) -> None:
    """UnionViewWhenUnionRegistered/Updated (renames, contact changes, moves)."""
    d = event["data"]
    upsert_if_newer(uow.session, UnionView, {"union_id": d["union_id"]},
                    {k: d[k] for k in ("name", "credit_code", "district_id", "contact_person", "phone", "version")})
