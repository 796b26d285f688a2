"""Read models kept from other services' events: districts, unions and cover years. Seam:
`splits.republish_rates` (a district's special-industry flag changes its city subsidy)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select

from common import facts as common_facts
from common.db import UoW
from common.facts import consumes
from common.readmodel import upsert_if_newer, upsert_many_if_newer
from services.billing import contracts
from services.billing.adapters.orm import CoverYearView, DistrictAccount, DistrictView, SettlementCredit, UnionView
from services.billing.adapters.queries import credit_available, is_special
from services.billing.domain import facts

# seam (handlers/__init__.py): a district's rates are published again when its subsidy changes
from services.billing.handlers.splits import republish_rates

# ------------------------------------------------------------------ directory read model


def record_district_when_district_changed(uow: UoW, event: dict) -> None:
    """Keep a district's name and special-industry flag (members.district.*). A change of the flag
    changes the city subsidy, so the district's rates are published again."""
    d = event["data"]
    before = is_special(uow.session, d["district_id"])
    applied = upsert_if_newer(
        uow.session,
        DistrictView,
        {"district_id": d["district_id"]},
        {k: d[k] for k in ("name", "kind", "special_industry", "version")},
    )
    if applied and bool(d["special_industry"]) != before:
        republish_rates(uow, int(d["district_id"]))


def record_union_when_union_changed(uow: UoW, event: dict) -> None:
    """Keep a union's name, district and contacts (members.union.*: renames, contact changes, moves)."""
    d = event["data"]
    upsert_if_newer(
        uow.session,
        UnionView,
        {"union_id": d["union_id"]},
        {k: d[k] for k in ("name", "credit_code", "district_id", "contact_person", "phone", "version")},
    )


def _union_rows(event: dict) -> list[dict]:
    return common_facts.registered_unions(event["data"])


@consumes
def record_unions_when_registered(uow: UoW, event: dict) -> None:
    """Keep many new unions at once (members.unions.registered, a bulk load's): one upsert for
    the message's unions, each moving forward only (version), as one by one."""
    upsert_many_if_newer(uow.session, UnionView, "union_id", _union_rows(event))


# ------------------------------------------------------------------ cover years (enrollment's timeline)


@consumes
def record_cover_year_when_configured(uow: UoW, event: dict) -> None:
    """Keep a configured cover year (enrollment.cover_year.configured): the split window, the
    deadlines and the instant payment period (`instant_payment_days`, enrollment's, required from
    schema 2). A year billing had not heard of makes the credit carried forward available to it too."""
    fact = facts.parse_cover_year(event)
    values = {k: v for k, v in asdict(fact).items() if k != "cover_year"}
    year = fact.cover_year
    new_year = uow.session.get(CoverYearView, year) is None
    upsert_if_newer(uow.session, CoverYearView, {"cover_year": year}, values)
    for held in uow.session.info.pop("billing_cover_years", {}).values():
        uow.session.expire(held)  # read afresh by what follows in this transaction
    if new_year:  # credit carried forward is available against the new year too: say so
        for account in uow.session.scalars(
            select(DistrictAccount)
            .where(
                DistrictAccount.district_id.in_(
                    select(SettlementCredit.district_id).where(SettlementCredit.designated_year <= year)
                )
            )
            .with_for_update()
        ):
            account.credit_version += 1
            uow.publish(
                contracts.CREDIT_AVAILABLE,
                {
                    "district_id": account.district_id,
                    "cover_year": year,
                    "available_fen": credit_available(uow.session, account.district_id, year),
                    "version": account.credit_version,
                },
            )
