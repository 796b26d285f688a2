"""Settlement credits (清算分配款): the centre records them (one, or many from a workbook), batches
use them up, and each change of what a district can still use is announced (billing.credit.available)."""

from __future__ import annotations

from sqlalchemy import select

from common import clock
from common.db import UoW
from common.errors import ValidationFailed
from common.identity import Identity, scoped
from common.money import yuan
from services.billing import contracts
from services.billing.adapters import queries
from services.billing.adapters.excel import read_credits
from services.billing.adapters.ledger import record_in_ledger
from services.billing.adapters.orm import Batch, DistrictAccount, DistrictView, SettlementCredit
from services.billing.domain.credit_sources import Credit, credits_left


def publish_credit_available(uow: UoW, account: DistrictAccount, from_year: int) -> None:
    """billing.credit.available for the given year and every later year we know of."""
    account.credit_version += 1
    for year in sorted({from_year} | queries.later_cover_years(uow.session, from_year)):
        uow.publish(
            contracts.CREDIT_AVAILABLE,
            {
                "district_id": account.district_id,
                "cover_year": year,
                "available_fen": queries.credit_available(uow.session, account.district_id, year),
                "version": account.credit_version,
            },
        )


def record_credit(
    uow, who: Identity, district_id: int, designated_year: int, source_year: int, amount_fen: int, memo: str = ""
) -> SettlementCredit:
    """The centre records one settlement credit, designated for a later year's batches; committed."""
    credit = add_credit(uow, who, district_id, designated_year, source_year, amount_fen, memo)
    uow.commit()
    return credit


def add_credit(
    uow,
    who: Identity,
    district_id: int,
    designated_year: int,
    source_year: int,
    amount_fen: int,
    memo: str = "",
    source_batch_id: int | None = None,
) -> SettlementCredit:
    """One settlement credit checked and added to the caller's transaction, which the caller commits.
    `source_batch_id`: the credit is that batch's over-payment (多缴) carried to a later year."""
    who.require("centre")
    if uow.session.get(DistrictView, district_id) is None:
        raise ValidationFailed({"district_id": ["该区局（产业）工会不存在"]})
    if amount_fen <= 0:
        raise ValidationFailed({"amount": ["金额须大于 0"]})
    if source_year >= designated_year:
        raise ValidationFailed({"source_year": ["清算年度应早于抵扣年度"]})
    account = queries.locked_account(uow.session, district_id)
    credit = SettlementCredit(
        district_id=district_id,
        designated_year=designated_year,
        source_year=source_year,
        amount_fen=amount_fen,
        memo=memo.strip(),
        recorded_at=clock.utcnow_naive(),
        recorded_by=who.user,
        source_batch_id=source_batch_id,
    )
    uow.session.add(credit)
    uow.session.flush()
    record_in_ledger(
        uow,
        who.user,
        cover_year=designated_year,
        district_id=district_id,
        account="credit",
        kind="credit_recorded",
        amount_fen=amount_fen,
        credit_id=credit.id,
        batch_id=source_batch_id,
        note=(f"{source_year} 年度{credit.memo or '多缴'}" if source_batch_id else f"{source_year} 年度清算分配款")
        + f" {yuan(amount_fen)} 元，指定用于抵扣 {designated_year} 年度集中参保款项",
    )
    publish_credit_available(uow, account, designated_year)
    return credit


def list_credits(uow: UoW, who: Identity, district_id: int | None = None) -> list[SettlementCredit]:
    """The credits in the caller's scope (a district its own), oldest first."""
    query = scoped(select(SettlementCredit).order_by(SettlementCredit.id), who, district=SettlementCredit.district_id)
    if who.role != "district" and district_id:
        query = query.where(SettlementCredit.district_id == district_id)
    return list(uow.session.scalars(query))


def import_credits(uow: UoW, who: Identity, content: bytes) -> list[SettlementCredit]:
    """The centre records many settlement credits from one workbook: all rows or none."""
    who.require("centre")
    names = {d.name: d.district_id for d in uow.session.scalars(select(DistrictView))}
    rows = read_credits(content, names)
    made = [
        add_credit(uow, who, r["district_id"], r["designated_year"], r["source_year"], r["amount_fen"], r["memo"])
        for r in rows
    ]
    uow.commit()
    return made


def credit_sources(uow: UoW, who: Identity, year: int, district_id: int | None = None) -> dict:
    """What the district can still set against `year` and where it comes from, each credit with
    its source — a settlement, an over-payment of a batch — and whether it was carried from an
    earlier year (decision 0043). The total is the one batches are priced with."""
    if who.role == "district":
        district_id = who.district_id
    elif district_id is None:
        raise ValidationFailed({"district_id": ["请指定区局（产业）工会"]})
    who.check_district(district_id)
    rows = list(uow.session.scalars(select(SettlementCredit).where(SettlementCredit.district_id == district_id)))
    batch_nos = dict(
        uow.session.execute(
            select(Batch.batch_id, Batch.batch_no).where(
                Batch.batch_id.in_([r.source_batch_id for r in rows if r.source_batch_id])
            )
        ).all()
    )
    account = uow.session.get(DistrictAccount, district_id)
    left = credits_left(
        [
            Credit(r.id, r.source_year, r.designated_year, r.amount_fen, r.memo, batch_nos.get(r.source_batch_id))
            for r in rows
        ],
        account.credit_used_fen if account else 0,
        year,
    )
    return {
        "cover_year": year,
        "district_id": district_id,
        "available_fen": queries.credit_available(uow.session, district_id, year),
        "sources": [c.as_dict() for c in left],
    }
