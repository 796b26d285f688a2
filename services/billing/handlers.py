"""Use cases of the billing service: consumed events and commands, each given a unit of work."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.bus import PermanentFailure
from common.errors import Conflict, NotFound, Rejected, TooLarge, ValidationFailed
from common.identity import Identity
from common.money import yuan
from common.readmodel import upsert_if_newer
from services.billing.adapters.orm import (Batch, CoverYearView, DistrictAccount, DistrictView, Feedback,
                                           LedgerEntry, OverdueNotice, PriceEntry, PricedSubmission,
                                           PriceTableRow, SettlementCredit, Split, UnionView, Voucher)
from services.billing.domain.prices import COVER_TYPES, PRICE_CLASSES, Price, price_table_errors
from services.billing.domain.pricing import BatchPricing, apply_credit, price_counts
from services.billing.domain.split import Rate, Shares, SplitMismatch, check_shares, rate_for
from services.billing.domain.timeline import Window, is_overdue, require_open

EVENTS = "services.billing.events"


def _events():
    import importlib

    return importlib.import_module(EVENTS)


# ------------------------------------------------------------------ directory read model


def keep_district(uow, event: dict) -> None:
    """DistrictViewWhenDistrictRegistered/Updated. A change of the special-industry flag changes
    the city subsidy, so the district's rates are published again."""
    d = event["data"]
    before = _special(uow.session, d["district_id"])
    applied = upsert_if_newer(uow.session, DistrictView, {"district_id": d["district_id"]},
                              {k: d[k] for k in ("name", "kind", "special_industry", "version")})
    if applied and bool(d["special_industry"]) != before:
        republish_rates(uow, int(d["district_id"]))


def republish_rates(uow, district_id: int) -> None:
    """Every split of the district again, with a new version, as the current prices make it."""
    splits = list(uow.session.scalars(select(Split).where(Split.district_id == district_id)))
    special = _special(uow.session, district_id)
    tables = {}
    for row in splits:
        table = tables.setdefault(row.cover_year, load_price_table(uow.session, row.cover_year))
        row.version += 1
        _publish_rates(uow, row, table, special, Shares(row.district_fen, row.grassroots_fen))


def keep_union(uow, event: dict) -> None:
    """UnionViewWhenUnionRegistered/Updated (renames, contact changes, moves)."""
    d = event["data"]
    upsert_if_newer(uow.session, UnionView, {"union_id": d["union_id"]},
                    {k: d[k] for k in ("name", "credit_code", "district_id", "contact_person", "phone", "version")})


# ------------------------------------------------------------------ cover years (enrollment's timeline)

def keep_cover_year(uow, event: dict) -> None:
    """CoverYearViewWhenCoverYearConfigured: the split window and the payment deadline."""
    d = event["data"]
    split = [date.fromisoformat(v) for v in d["split_window"]]
    grassroots = d.get("grassroots_window") or [None, None]
    values = {"split_start": split[0], "split_end": split[1],
              "grassroots_end": date.fromisoformat(grassroots[1]) if grassroots[1] else None,
              "cover_start": date.fromisoformat(d["cover_start"]) if d.get("cover_start") else None,
              "cover_end": date.fromisoformat(d["cover_end"]) if d.get("cover_end") else None,
              "payment_deadline": date.fromisoformat(d["payment_deadline"]), "version": int(d["version"])}
    year = int(d["cover_year"])
    new_year = uow.session.get(CoverYearView, year) is None
    upsert_if_newer(uow.session, CoverYearView, {"cover_year": year}, values)
    if new_year:  # credit carried forward is available against the new year too: say so
        for account in uow.session.scalars(select(DistrictAccount).where(DistrictAccount.district_id.in_(
                select(SettlementCredit.district_id).where(SettlementCredit.designated_year <= year)))
                .with_for_update()):
            account.credit_version += 1
            uow.publish(_events().CREDIT_AVAILABLE, {
                "district_id": account.district_id, "cover_year": year,
                "available_fen": credit_available(uow.session, account.district_id, year),
                "version": account.credit_version})


def cover_year(session, year: int) -> CoverYearView | None:
    return session.get(CoverYearView, year)


# ------------------------------------------------------------------ price tables (保障价格表)

def load_price_table(session, year: int) -> dict[tuple[str, str], Price] | None:
    if session.get(PriceTableRow, year) is None:
        return None
    rows = session.scalars(select(PriceEntry).where(PriceEntry.cover_year == year))
    return {(r.cover_type, r.price_class): Price(r.premium_fen, r.city_subsidy_fen, r.special_city_subsidy_fen)
            for r in rows}


def set_price_table(uow, who: Identity, year: int, table: dict[tuple[str, str], Price]) -> PriceTableRow:
    """The centre sets a cover year's prices. Once a district has split a year's premiums the
    table is fixed (changing it would unbalance every split)."""
    who.require("centre")
    errors = price_table_errors(table)
    if errors:
        raise ValidationFailed(errors)
    current = load_price_table(uow.session, year)
    if current is not None and current != table and uow.session.scalar(
            select(func.count()).select_from(Split).where(Split.cover_year == year)):
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
    uow.publish(_events().PRICES_PUBLISHED, {"cover_year": year, "version": row.version, "entries": [
        {"type": t, "price_class": c, "premium_fen": table[(t, c)].premium_fen,
         "city_subsidy_fen": table[(t, c)].city_subsidy_fen,
         "special_city_subsidy_fen": table[(t, c)].special_city_subsidy_fen}
        for t in COVER_TYPES for c in PRICE_CLASSES]})
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict("另一位经办人同时保存了价格表，请刷新后重试", code="PRICES_CONCURRENT") from None
    return row


def get_price_table(session, year: int) -> dict:
    row = session.get(PriceTableRow, year)
    if row is None:
        raise NotFound(f"{year} 年度的价格表尚未设置", code="PRICES_NOT_SET")
    table = load_price_table(session, year)
    return {"cover_year": year, "version": row.version, "entries": [
        {"type": t, "price_class": c, "premium_fen": table[(t, c)].premium_fen,
         "city_subsidy_fen": table[(t, c)].city_subsidy_fen,
         "special_city_subsidy_fen": table[(t, c)].special_city_subsidy_fen}
        for t in COVER_TYPES for c in PRICE_CLASSES if (t, c) in table]}


# ------------------------------------------------------------------ premium split (保障金额设置)

def _special(session, district_id: int) -> bool:
    district = session.get(DistrictView, district_id)
    return bool(district and district.special_industry)


def _shares(session, year: int, district_id: int, union_id: int | None) -> dict[str, Shares]:
    """The effective shares per type: the union's override where set, else the district default."""
    rows = session.scalars(select(Split).where(Split.cover_year == year, Split.district_id == district_id,
                                               Split.union_id.in_([0, union_id or 0])))
    found: dict[str, tuple[int, Shares]] = {}
    for r in rows:
        if r.cover_type not in found or r.union_id != 0:
            found[r.cover_type] = (r.union_id, Shares(r.district_fen, r.grassroots_fen))
    return {t: s for t, (_, s) in found.items()}


class DistrictRates:
    """Every rate of one district and year, loaded with three queries, for pricing a whole batch
    (a district's batch can hold 10,000 unions' submissions)."""

    def __init__(self, session, year: int, district_id: int, table: dict):
        self.table = table
        self.special = _special(session, district_id)
        self.default: dict[str, Shares] = {}
        self.overrides: dict[int, dict[str, Shares]] = {}
        for r in session.scalars(select(Split).where(Split.cover_year == year, Split.district_id == district_id)):
            target = self.default if r.union_id == 0 else self.overrides.setdefault(r.union_id, {})
            target[r.cover_type] = Shares(r.district_fen, r.grassroots_fen)
        self._cache: dict[int, dict[str, dict[str, Rate]]] = {}

    def for_union(self, union_id: int) -> dict[str, dict[str, Rate]]:
        key = union_id if union_id in self.overrides else 0
        if key not in self._cache:
            shares = {**self.default, **self.overrides.get(key, {})}
            self._cache[key] = {t: {c: rate_for(self.table[(t, c)], self.table[(t, "centralised")], self.special,
                                                shares.get(t)) for c in PRICE_CLASSES} for t in COVER_TYPES}
        return self._cache[key]


def _district_rates(uow, year: int, district_id: int) -> DistrictRates:
    """Rates for consumed events, memoised on the unit of work: a consumer prices a whole batch of
    deliveries in one transaction, in which prices and splits do not change."""
    memo = uow.__dict__.setdefault("_billing_rates", {})
    if (year, district_id) not in memo:
        table = load_price_table(uow.session, year)
        if table is None:
            raise PermanentFailure(f"no price table for {year}: set it, then replay from the dead-letter queue")
        memo[(year, district_id)] = DistrictRates(uow.session, year, district_id, table)
    return memo[(year, district_id)]


def effective_rates(session, year: int, district_id: int, union_id: int | None,
                    table: dict | None = None) -> dict[str, dict[str, Rate]]:
    table = table if table is not None else load_price_table(session, year)
    if table is None:
        raise NotFound(f"{year} 年度的价格表尚未设置", code="PRICES_NOT_SET")
    special = _special(session, district_id)
    shares = _shares(session, year, district_id, union_id)
    return {t: {c: rate_for(table[(t, c)], table[(t, "centralised")], special, shares.get(t))
                for c in PRICE_CLASSES} for t in COVER_TYPES}


def set_split(uow, who: Identity, year: int, shares: dict[str, Shares], union_id: int | None = None) -> list[Split]:
    """A district sets its share and the grassroots default per type (or, with `union_id`, the
    shares for one of its grassroots unions), in the split window, summing exactly."""
    who.require("district")
    district_id = who.district_id
    if union_id is not None:
        union = uow.session.get(UnionView, union_id)
        if union is None:
            raise NotFound()
        who.check_union(union.union_id, union.district_id)
    timeline = cover_year(uow.session, year)
    require_open(Window(timeline.split_start, timeline.split_end) if timeline else None, clock.today(),
                 "参保金额比例设置")
    table = load_price_table(uow.session, year)
    if table is None:
        raise Conflict(f"{year} 年度的价格表尚未设置，请等待市职保中心设置后再分摊", code="PRICES_NOT_SET")
    unknown = [t for t in shares if t not in COVER_TYPES]
    if unknown or not shares:
        raise ValidationFailed({"types": [f"保障类型须为 {'、'.join(COVER_TYPES)} 之一"]})
    special = _special(uow.session, district_id)
    errors, differences = {}, {}
    for cover_type, share in shares.items():
        try:
            check_shares(table[(cover_type, "centralised")], special, share)
        except SplitMismatch as exc:
            errors[cover_type] = [str(exc)]
            differences[cover_type] = exc.difference_fen
    if errors:
        raise _split_mismatch(errors, differences)
    return save_split(uow, who.user, year, district_id, shares, union_id)


def save_split(uow, user: str, year: int, district_id: int, shares: dict[str, Shares],
               union_id: int | None = None) -> list[Split]:
    """Store checked shares and publish the resulting per-person rates (billing.rates.published).
    Callers check the window and scope; the sum rule is checked here again."""
    table = load_price_table(uow.session, year)
    special = _special(uow.session, district_id)
    for cover_type, share in shares.items():
        check_shares(table[(cover_type, "centralised")], special, share)
    now = clock.utcnow_naive()
    saved = []
    try:
        for cover_type, share in shares.items():
            row = uow.session.scalar(select(Split).where(
                Split.cover_year == year, Split.district_id == district_id, Split.union_id == (union_id or 0),
                Split.cover_type == cover_type).with_for_update())
            if row is None:
                row = Split(cover_year=year, district_id=district_id, union_id=union_id or 0, cover_type=cover_type,
                            version=0)
                uow.session.add(row)
            row.district_fen, row.grassroots_fen = share.district_fen, share.grassroots_fen
            row.version += 1
            row.updated_at, row.updated_by = now, user
            saved.append(row)
            uow.session.flush()
            _publish_rates(uow, row, table, special, share)
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict("另一位经办人同时保存了分摊设置，请刷新后重试", code="SPLIT_CONCURRENT") from None
    return saved


def _publish_rates(uow, row: Split, table: dict, special: bool, share: Shares) -> None:
    for price_class in PRICE_CLASSES:
        rate = rate_for(table[(row.cover_type, price_class)], table[(row.cover_type, "centralised")], special, share)
        uow.publish(_events().RATES_PUBLISHED, {
            "cover_year": row.cover_year, "district_id": row.district_id, "union_id": row.union_id or None,
            "type": row.cover_type, "price_class": price_class, "premium_fen": rate.premium_fen,
            "city_subsidy_fen": rate.city_subsidy_fen, "district_share_fen": rate.district_share_fen,
            "grassroots_share_fen": rate.grassroots_share_fen, "version": row.version})


def _split_mismatch(errors: dict, differences: dict) -> ValidationFailed:
    exc = ValidationFailed(errors, message="市总统一划拨 + 区局缴纳 + 基层缴纳 须等于参保费用，请按提示修改",
                           code="SPLIT_MISMATCH")
    exc.extra["difference_fen"] = differences
    return exc


def list_splits(session, who: Identity, year: int, district_id: int | None = None) -> list[dict]:
    """The split screen: per type, premium, city subsidy, district and grassroots shares; the
    district's default rows and any union overrides. Centre: any district; district: its own."""
    if who.role == "district":
        district_id = who.district_id
    elif district_id is None:
        raise ValidationFailed({"district_id": ["请指定区局（产业）工会"]})
    else:
        who.check_district(district_id)
    table = load_price_table(session, year)
    if table is None:
        raise NotFound(f"{year} 年度的价格表尚未设置", code="PRICES_NOT_SET")
    special = _special(session, district_id)
    rows = list(session.scalars(select(Split).where(Split.cover_year == year, Split.district_id == district_id)
                                .order_by(Split.union_id, Split.cover_type)))
    out = []
    defaults = {r.cover_type: r for r in rows if r.union_id == 0}
    for cover_type in COVER_TYPES:
        price = table[(cover_type, "centralised")]
        row = defaults.get(cover_type)
        out.append({"union_id": None, "type": cover_type, "premium_fen": price.premium_fen,
                    "city_subsidy_fen": price.city_subsidy(special),
                    "district_share_fen": row.district_fen if row else None,
                    "grassroots_share_fen": row.grassroots_fen if row else None,
                    "version": row.version if row else 0})
    for row in rows:
        if row.union_id:
            price = table[(row.cover_type, "centralised")]
            out.append({"union_id": row.union_id, "type": row.cover_type, "premium_fen": price.premium_fen,
                        "city_subsidy_fen": price.city_subsidy(special), "district_share_fen": row.district_fen,
                        "grassroots_share_fen": row.grassroots_fen, "version": row.version})
    return out


def rates_for_caller(session, who: Identity, year: int, union_id: int | None) -> dict:
    """Per-person rates a union pays this year (what enrollment shows; here for the pages)."""
    if who.role == "grassroots":
        union_id = who.union_id
    if union_id is None:
        if who.role != "district":
            raise ValidationFailed({"union_id": ["请指定基层工会"]})
        district_id = who.district_id
    else:
        union = session.get(UnionView, union_id)
        if union is None:
            raise NotFound()
        who.check_union(union.union_id, union.district_id)
        district_id = union.district_id
    rates = effective_rates(session, year, district_id, union_id)
    return {"cover_year": year, "district_id": district_id, "union_id": union_id, "rates": [
        {"type": t, "price_class": c, "premium_fen": r.premium_fen, "city_subsidy_fen": r.city_subsidy_fen,
         "district_share_fen": r.district_share_fen, "grassroots_share_fen": r.grassroots_share_fen}
        for t, by_class in rates.items() for c, r in by_class.items()]}


# ------------------------------------------------------------------ pricing submissions (grassroots → district)

def _ledger(uow, by: str, **values) -> None:
    """One ledger line; `by` is the user, or the event that caused it."""
    uow.session.add(LedgerEntry(at=clock.utcnow_naive(), recorded_by=by[:120], **values))


def _by_event(event: dict) -> str:
    return f"{event.get('type', '')} {event.get('id', '')}"


def _counts(data: dict) -> dict[str, int]:
    counts = data.get("counts") or data.get("price_class_counts")
    if not isinstance(counts, dict) or not counts:
        raise PermanentFailure("submission without price-class counts")
    for price_class, n in counts.items():
        if price_class not in PRICE_CLASSES or not isinstance(n, int) or n < 0:
            raise PermanentFailure(f"bad price-class count {price_class}={n!r}")
    return counts


def price_submission_when_submitted(uow, event: dict) -> None:
    """PriceSubmissionWhenSubmissionSubmitted: what the union owes its district for it."""
    d = event["data"]
    submission_id = int(d["submission_id"])
    if uow.session.get(PricedSubmission, submission_id) is not None:
        return
    year, cover_type = int(d["cover_year"]), d["type"]
    if cover_type not in COVER_TYPES:
        raise PermanentFailure(f"unknown cover type {cover_type!r}")
    counts = _counts(d)
    if sum(counts.values()) != int(d["headcount"]):
        raise PermanentFailure("headcount does not equal the sum of the price-class counts")
    rates = _district_rates(uow, year, int(d["district_id"])).for_union(int(d["union_id"]))[cover_type]
    totals = price_counts(counts, rates)
    timeline = cover_year(uow.session, year)
    pay_by = timeline.grassroots_end if timeline and d["mode"] == "centralised" else None
    uow.session.add(PricedSubmission(
        submission_id=submission_id, union_id=int(d["union_id"]), district_id=int(d["district_id"]),
        cover_year=year, cover_type=cover_type, mode=d["mode"], counts=json.dumps(counts),
        headcount=totals.headcount, premium_fen=totals.premium_fen, city_subsidy_fen=totals.city_subsidy_fen,
        district_share_fen=totals.district_share_fen, grassroots_share_fen=totals.grassroots_share_fen,
        pay_by=pay_by, status="priced", submitted_at=str(d.get("submitted_at", "")), priced_at=clock.utcnow_naive()))
    _ledger(uow, _by_event(event), cover_year=year, district_id=int(d["district_id"]), union_id=int(d["union_id"]),
            account="grassroots_to_district", kind="submission_priced", amount_fen=totals.grassroots_share_fen,
            submission_id=submission_id,
            note=f"基层单位缴费：{cover_type}类 {totals.headcount} 人，参保费用 {yuan(totals.premium_fen)} 元"
                 f" − 市总统一划拨 {yuan(totals.city_subsidy_fen)} 元 − 区局缴纳 {yuan(totals.district_share_fen)} 元")
    uow.publish(_events().SUBMISSION_PRICED, {
        "submission_id": submission_id, "union_id": int(d["union_id"]), "district_id": int(d["district_id"]),
        "cover_year": year, "type": cover_type, "mode": d["mode"], "headcount": totals.headcount,
        "premium_fen": totals.premium_fen, "city_subsidy_fen": totals.city_subsidy_fen,
        "district_share_fen": totals.district_share_fen, "grassroots_share_fen": totals.grassroots_share_fen,
        "grassroots_owes_fen": totals.grassroots_share_fen, "pay_by": pay_by.isoformat() if pay_by else None})


def release_submission_when_returned(uow, event: dict) -> None:
    """ReleaseSubmissionWhenSubmissionReturned: a returned submission is owed no more."""
    d = event["data"]
    submission = uow.session.get(PricedSubmission, int(d["submission_id"]))
    if submission is None or submission.status == "returned":
        return
    submission.status = "returned"
    _ledger(uow, _by_event(event), cover_year=submission.cover_year, district_id=submission.district_id,
            union_id=submission.union_id,
            account="grassroots_to_district", kind="submission_returned",
            amount_fen=-submission.grassroots_share_fen, submission_id=submission.submission_id,
            note=f"区局退回该次提交（{d.get('reason') or '未说明原因'}），冲销基层单位缴费")


# ------------------------------------------------------------------ pricing batches (district → centre)

def credit_available(session, district_id: int, year: int) -> int:
    """Credits designated for this year or earlier, less what batches have used."""
    total = session.scalar(select(func.coalesce(func.sum(SettlementCredit.amount_fen), 0)).where(
        SettlementCredit.district_id == district_id, SettlementCredit.designated_year <= year)) or 0
    account = session.get(DistrictAccount, district_id)
    return int(total) - (account.credit_used_fen if account else 0)


def _locked_account(session, district_id: int) -> DistrictAccount:
    account = session.scalar(select(DistrictAccount).where(DistrictAccount.district_id == district_id)
                             .with_for_update())
    if account is None:
        account = DistrictAccount(district_id=district_id, credit_used_fen=0, credit_version=0)
        session.add(account)
        session.flush()
    return account


def _publish_credit_available(uow, account: DistrictAccount, from_year: int) -> None:
    """billing.credit.available for the given year and every later year we know of."""
    years = {from_year} | set(uow.session.scalars(select(CoverYearView.cover_year).where(
        CoverYearView.cover_year > from_year)))
    account.credit_version += 1
    for year in sorted(years):
        uow.publish(_events().CREDIT_AVAILABLE, {
            "district_id": account.district_id, "cover_year": year,
            "available_fen": credit_available(uow.session, account.district_id, year),
            "version": account.credit_version})


def price_batch_when_submitted(uow, event: dict) -> None:
    """PriceBatchWhenBatchSubmitted: the union share of the batch, less available credit."""
    d = event["data"]
    batch_id = int(d["batch_id"])
    if uow.session.get(Batch, batch_id) is not None:
        return
    year, district_id = int(d["cover_year"]), int(d["district_id"])
    pricing = BatchPricing()
    district_rates = _district_rates(uow, year, district_id)
    for sub in d["submissions"]:
        if sub["type"] not in COVER_TYPES:
            raise PermanentFailure(f"unknown cover type {sub['type']!r}")
        rates = district_rates.for_union(int(sub["union_id"]))[sub["type"]]
        pricing.add(sub["type"], price_counts(_counts(sub), rates))
    total = pricing.total
    if total.headcount != int(d["headcount"]):
        raise PermanentFailure("batch headcount does not equal its submissions")
    account = _locked_account(uow.session, district_id)
    due = apply_credit(total.union_share_fen, credit_available(uow.session, district_id, year))
    account.credit_used_fen += due.credit_applied_fen
    uow.session.flush()
    if due.credit_applied_fen:
        _publish_credit_available(uow, account, year)
    timeline = cover_year(uow.session, year)
    pay_by = timeline.payment_deadline if timeline and d["mode"] == "centralised" else None
    handler = d.get("handler") or {}
    by_type = [{"type": t, "headcount": x.headcount, "premium_fen": x.premium_fen,
                "city_subsidy_fen": x.city_subsidy_fen, "union_share_fen": x.union_share_fen}
               for t, x in sorted(pricing.by_type.items(), key=lambda kv: COVER_TYPES.index(kv[0]))]
    batch = Batch(batch_id=batch_id, batch_no=d["batch_no"], district_id=district_id, cover_year=year, mode=d["mode"],
                  headcount=total.headcount, by_type=json.dumps(by_type, ensure_ascii=False),
                  submission_ids=json.dumps([int(s["submission_id"]) for s in d["submissions"]]),
                  premium_fen=total.premium_fen, city_subsidy_fen=total.city_subsidy_fen,
                  union_share_fen=total.union_share_fen, credit_applied_fen=due.credit_applied_fen,
                  due_fen=due.due_fen, pay_by=pay_by, handler_name=handler.get("name", ""),
                  handler_phone=handler.get("phone", ""), handler_email=handler.get("email", ""),
                  submitted_at=str(d.get("submitted_at", "")), priced_at=clock.utcnow_naive(),
                  status="awaiting_payment", bank_matched_fen=0)
    uow.session.add(batch)
    _ledger(uow, _by_event(event), cover_year=year, district_id=district_id, account="district_to_centre",
            kind="batch_priced",
            amount_fen=total.union_share_fen, batch_id=batch_id,
            note=f"批次 {d['batch_no']}：{total.headcount} 人，参保费用 {yuan(total.premium_fen)} 元 − 市总统一划拨 "
                 f"{yuan(total.city_subsidy_fen)} 元 = 工会承担 {yuan(total.union_share_fen)} 元")
    if due.credit_applied_fen:
        note = f"批次 {d['batch_no']} 抵扣清算分配款 {yuan(due.credit_applied_fen)} 元，结余 {yuan(due.credit_left_fen)} 元结转"
        _ledger(uow, _by_event(event), cover_year=year, district_id=district_id, account="district_to_centre",
                kind="credit_applied",
                amount_fen=-due.credit_applied_fen, batch_id=batch_id, note=note)
        _ledger(uow, _by_event(event), cover_year=year, district_id=district_id, account="credit",
                kind="credit_applied",
                amount_fen=-due.credit_applied_fen, batch_id=batch_id, note=note)
    uow.publish(_events().BATCH_PRICED, batch_priced_data(batch))


def batch_priced_data(batch: Batch) -> dict:
    return {"batch_id": batch.batch_id, "batch_no": batch.batch_no, "district_id": batch.district_id,
            "cover_year": batch.cover_year, "mode": batch.mode, "headcount": batch.headcount,
            "by_type": json.loads(batch.by_type), "premium_fen": batch.premium_fen,
            "city_subsidy_fen": batch.city_subsidy_fen, "union_share_fen": batch.union_share_fen,
            "credit_applied_fen": batch.credit_applied_fen, "due_fen": batch.due_fen,
            "pay_by": batch.pay_by.isoformat() if batch.pay_by else None,
            "handler": {"name": batch.handler_name, "phone": batch.handler_phone, "email": batch.handler_email}}


# ------------------------------------------------------------------ settlement credits (清算分配款)

def record_credit(uow, who: Identity, district_id: int, designated_year: int, source_year: int, amount_fen: int,
                  memo: str = "", commit: bool = True) -> SettlementCredit:
    who.require("centre")
    if uow.session.get(DistrictView, district_id) is None:
        raise ValidationFailed({"district_id": ["该区局（产业）工会不存在"]})
    if amount_fen <= 0:
        raise ValidationFailed({"amount": ["金额须大于 0"]})
    if source_year >= designated_year:
        raise ValidationFailed({"source_year": ["清算年度应早于抵扣年度"]})
    account = _locked_account(uow.session, district_id)
    credit = SettlementCredit(district_id=district_id, designated_year=designated_year, source_year=source_year,
                              amount_fen=amount_fen, memo=memo.strip(), recorded_at=clock.utcnow_naive(),
                              recorded_by=who.user)
    uow.session.add(credit)
    uow.session.flush()
    _ledger(uow, who.user, cover_year=designated_year, district_id=district_id, account="credit",
            kind="credit_recorded",
            amount_fen=amount_fen, credit_id=credit.id,
            note=f"{source_year} 年度清算分配款 {yuan(amount_fen)} 元，指定用于抵扣 {designated_year} 年度集中参保款项")
    _publish_credit_available(uow, account, designated_year)
    if commit:
        uow.commit()
    return credit


def list_credits(session, who: Identity, district_id: int | None = None) -> list[SettlementCredit]:
    query = select(SettlementCredit).order_by(SettlementCredit.id)
    if who.role == "district":
        query = query.where(SettlementCredit.district_id == who.district_id)
    elif district_id:
        query = query.where(SettlementCredit.district_id == district_id)
    return list(session.scalars(query))


# ------------------------------------------------------------------ batches, vouchers, feedback, write-off

def get_batch(session, who: Identity, batch_id: int, lock: bool = False) -> Batch:
    query = select(Batch).where(Batch.batch_id == batch_id)
    if lock:
        query = query.with_for_update()
    batch = session.scalar(query)
    if batch is None:
        raise NotFound()
    who.check_district(batch.district_id)
    return batch


def list_batches(session, who: Identity, cover_year: int | None = None, district_id: int | None = None,
                 status: str | None = None) -> list[Batch]:
    query = select(Batch).order_by(Batch.batch_id)
    if who.role == "district":
        query = query.where(Batch.district_id == who.district_id)
    elif district_id:
        query = query.where(Batch.district_id == district_id)
    if cover_year:
        query = query.where(Batch.cover_year == cover_year)
    if status:
        query = query.where(Batch.status == status)
    return list(session.scalars(query))


def _not_written_off(batch: Batch) -> None:
    if batch.written_off_at is not None:
        raise Conflict(f"批次 {batch.batch_no} 已核销，不能再修改", code="BATCH_WRITTEN_OFF")


def upload_voucher(uow, who: Identity, batch_id: int, content: bytes, filename: str, amount_fen: int,
                   paid_on: date, max_bytes: int) -> Voucher:
    """缴费凭证: a district uploads (or replaces, until write-off) the proof of its payment."""
    import hashlib

    from services.billing.domain.voucher import VoucherRejected, check_voucher

    who.require("district")
    batch = get_batch(uow.session, who, batch_id, lock=True)
    _not_written_off(batch)
    errors = {}
    try:
        media_type = check_voucher(content, max_bytes)
    except VoucherRejected as exc:
        kind = TooLarge if exc.code == "VOUCHER_TOO_LARGE" else Rejected
        raise kind(str(exc), code=exc.code, fields={"file": [str(exc)]}) from None
    if amount_fen <= 0:
        errors["amount"] = ["缴费金额须大于 0"]
    if paid_on > clock.today():
        errors["paid_on"] = ["缴费日期不能晚于今天"]
    if errors:
        raise ValidationFailed(errors)
    now = clock.utcnow_naive()
    for old in uow.session.scalars(select(Voucher).where(Voucher.batch_id == batch_id, Voucher.current.is_(True))):
        old.current = False
    voucher = Voucher(batch_id=batch_id, filename=(filename or "voucher")[:200], media_type=media_type,
                      size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                      amount_fen=amount_fen, paid_on=paid_on, uploaded_at=now, uploaded_by=who.user, current=True)
    uow.session.add(voucher)
    batch.paid_fen, batch.paid_on, batch.voucher_uploaded_at = amount_fen, paid_on, now
    if batch.status == "awaiting_payment":
        batch.status = "voucher_uploaded"
    uow.session.flush()
    uow.publish(_events().VOUCHER_UPLOADED, {"batch_id": batch_id, "amount_fen": amount_fen,
                                             "paid_on": paid_on.isoformat(), "uploaded_at": clock.now().isoformat()})
    uow.commit()
    return voucher


def current_voucher(session, who: Identity, batch_id: int) -> Voucher:
    get_batch(session, who, batch_id)
    voucher = session.scalar(select(Voucher).where(Voucher.batch_id == batch_id, Voucher.current.is_(True)))
    if voucher is None:
        raise NotFound("该批次尚未上传缴费凭证", code="VOUCHER_NOT_FOUND")
    return voucher


def give_feedback(uow, who: Identity, batch_id: int, message: str) -> Feedback:
    """反馈: the centre tells the district about its payment (e.g. amount short)."""
    who.require("centre")
    batch = get_batch(uow.session, who, batch_id, lock=True)
    _not_written_off(batch)
    message = (message or "").strip()
    if not message:
        raise ValidationFailed({"message": ["反馈内容不能为空"]})
    now = clock.utcnow_naive()
    feedback = Feedback(batch_id=batch_id, message=message, at=now, by=who.user)
    uow.session.add(feedback)
    batch.feedback_at = now
    uow.publish(_events().FEEDBACK_GIVEN, {"batch_id": batch_id, "message": message, "at": clock.now().isoformat()})
    uow.commit()
    return feedback


def list_feedback(session, who: Identity, batch_id: int) -> list[Feedback]:
    get_batch(session, who, batch_id)
    return list(session.scalars(select(Feedback).where(Feedback.batch_id == batch_id).order_by(Feedback.id)))


def write_off(uow, who: Identity, batch_id: int, amount_fen: int, received_on: date, bank_reference: str) -> Batch:
    """核销: the centre records the money received; nothing about the batch changes afterwards."""
    who.require("centre")
    batch = get_batch(uow.session, who, batch_id, lock=True)
    _not_written_off(batch)
    errors = {}
    if amount_fen < 0:
        errors["amount"] = ["金额不能为负数"]
    if received_on > clock.today():
        errors["received_on"] = ["到账日期不能晚于今天"]
    if not (bank_reference or "").strip():
        errors["bank_reference"] = ["请填写银行流水号"]
    if errors:
        raise ValidationFailed(errors)
    now = clock.utcnow_naive()
    batch.written_off_at, batch.received_fen, batch.received_on = now, amount_fen, received_on
    batch.bank_reference = bank_reference.strip()
    batch.status = "written_off"
    _ledger(uow, who.user, cover_year=batch.cover_year, district_id=batch.district_id, account="district_to_centre",
            kind="written_off", amount_fen=-amount_fen, batch_id=batch_id,
            note=f"市职保中心核销批次 {batch.batch_no}：{received_on.isoformat()} 到账 {yuan(amount_fen)} 元"
                 f"（流水号 {batch.bank_reference}）")
    uow.publish(_events().WRITTEN_OFF, {"batch_id": batch_id, "amount_fen": amount_fen,
                                        "received_on": received_on.isoformat(),
                                        "bank_reference": batch.bank_reference, "at": clock.now().isoformat()})
    uow.commit()
    return batch


def reconciliation_row(batch: Batch, district_name: str | None = None) -> dict:
    """Due, paid (declared on the voucher, matched on the bank statement, received at write-off)
    and the difference still open."""
    paid = batch.received_fen if batch.received_fen is not None else (batch.bank_matched_fen or batch.paid_fen or 0)
    return {"batch_id": batch.batch_id, "batch_no": batch.batch_no, "district_id": batch.district_id,
            "district_name": district_name, "cover_year": batch.cover_year, "mode": batch.mode,
            "headcount": batch.headcount, "status": batch.status, "due_fen": batch.due_fen,
            "declared_paid_fen": batch.paid_fen, "bank_matched_fen": batch.bank_matched_fen,
            "received_fen": batch.received_fen, "paid_fen": paid, "difference_fen": batch.due_fen - paid,
            "pay_by": batch.pay_by, "voucher_uploaded_at": batch.voucher_uploaded_at,
            "feedback_at": batch.feedback_at, "written_off_at": batch.written_off_at}


def reconciliation(session, who: Identity, cover_year: int | None = None, district_id: int | None = None,
                   status: str | None = None) -> list[dict]:
    who.require("centre")
    names = {d.district_id: d.name for d in session.scalars(select(DistrictView))}
    return [reconciliation_row(b, names.get(b.district_id))
            for b in list_batches(session, who, cover_year, district_id, status)]


# ------------------------------------------------------------------ ledger (台账)

def ledger(session, who: Identity, cover_year: int | None = None, district_id: int | None = None,
           union_id: int | None = None, batch_id: int | None = None, page: int = 1, per_page: int = 50):
    query = select(LedgerEntry)
    if who.role == "grassroots":
        query = query.where(LedgerEntry.union_id == who.union_id)
    elif who.role == "district":
        query = query.where(LedgerEntry.district_id == who.district_id)
    if cover_year:
        query = query.where(LedgerEntry.cover_year == cover_year)
    if district_id:
        query = query.where(LedgerEntry.district_id == district_id)
    if union_id:
        query = query.where(LedgerEntry.union_id == union_id)
    if batch_id:
        query = query.where(LedgerEntry.batch_id == batch_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(session.scalars(query.order_by(LedgerEntry.id).offset((page - 1) * per_page).limit(per_page)))
    return total, items


def list_submissions(session, who: Identity, cover_year: int | None = None, union_id: int | None = None,
                     page: int = 1, per_page: int = 50):
    query = select(PricedSubmission)
    if who.role == "grassroots":
        query = query.where(PricedSubmission.union_id == who.union_id)
    elif who.role == "district":
        query = query.where(PricedSubmission.district_id == who.district_id)
    if cover_year:
        query = query.where(PricedSubmission.cover_year == cover_year)
    if union_id:
        query = query.where(PricedSubmission.union_id == union_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(session.scalars(query.order_by(PricedSubmission.submission_id).offset((page - 1) * per_page)
                                 .limit(per_page)))
    return total, items


# ------------------------------------------------------------------ the deadline (缴费截止)

def report_overdue(runtime, today: date | None = None) -> list[int]:
    """Every centralised batch still owing money after its cover year's payment deadline is
    reported overdue, once: the OverdueNotice primary key refuses a second report, whoever runs
    the job and however often or late. Returns the batch ids reported by this run."""
    today = today or clock.today()
    reported = []
    with runtime.uow() as uow:
        years = [y.cover_year for y in uow.session.scalars(select(CoverYearView))
                 if is_overdue(y.payment_deadline, today)]
        candidates = list(uow.session.scalars(select(Batch.batch_id).where(
            Batch.cover_year.in_(years), Batch.mode == "centralised", Batch.written_off_at.is_(None),
            Batch.due_fen > 0, Batch.batch_id.not_in(select(OverdueNotice.batch_id))))) if years else []
    for batch_id in candidates:
        with runtime.uow() as uow:
            batch = uow.session.scalar(select(Batch).where(Batch.batch_id == batch_id).with_for_update())
            if batch.written_off_at is not None or uow.session.get(OverdueNotice, batch_id) is not None:
                continue
            paid = batch.bank_matched_fen or batch.paid_fen or 0
            uow.session.add(OverdueNotice(batch_id=batch_id, reported_at=clock.utcnow_naive(), due_fen=batch.due_fen,
                                          paid_fen=paid))
            batch.status = "overdue"
            uow.publish(_events().OVERDUE, {"batch_id": batch_id, "batch_no": batch.batch_no,
                                            "district_id": batch.district_id, "cover_year": batch.cover_year,
                                            "due_fen": batch.due_fen, "paid_fen": paid})
            try:
                uow.commit()
            except IntegrityError:
                uow.rollback()  # another run reported it at the same moment
                continue
            reported.append(batch_id)
    return reported


# ------------------------------------------------------------------ payment detail e-mail (集中参保缴费明细)

def mail_payment_detail_when_batch_priced(uow, event: dict) -> None:
    """MailPaymentDetailWhenBatchPriced: once per batch, to the handler's address."""
    from services.billing.adapters import mail
    from services.billing.adapters.orm import SentMail

    d = event["data"]
    batch_id = int(d["batch_id"])
    if uow.session.get(SentMail, batch_id) is not None:
        return
    recipient = (d.get("handler") or {}).get("email") or ""
    if not recipient:
        return
    names = uow.session.get(DistrictView, int(d["district_id"]))
    transport = mail.send_payment_detail(d, names.name if names else "", recipient)
    uow.session.add(SentMail(batch_id=batch_id, recipient=recipient, sent_at=clock.utcnow_naive(),
                             transport=transport))


# ------------------------------------------------------------------ imports from Excel

def import_credits(uow, who: Identity, content: bytes) -> list[SettlementCredit]:
    """The centre records many settlement credits from one workbook: all rows or none."""
    from services.billing.adapters.excel import read_credits

    who.require("centre")
    names = {d.name: d.district_id for d in uow.session.scalars(select(DistrictView))}
    rows = read_credits(content, names)
    made = [record_credit(uow, who, r["district_id"], r["designated_year"], r["source_year"], r["amount_fen"],
                          r["memo"], commit=False) for r in rows]
    uow.commit()
    return made


def import_bank_statement(uow, who: Identity, content: bytes, filename: str):
    """银行流水导入: match each line to a batch; unmatched and ambiguous lines keep a reason code."""
    from services.billing.adapters.excel import read_statement
    from services.billing.adapters.orm import BankStatement, StatementLine
    from services.billing.domain.statement import OpenBatch, match_lines

    who.require("centre")
    lines = read_statement(content)
    names = {d.district_id: d.name for d in uow.session.scalars(select(DistrictView))}
    batches = list(uow.session.scalars(select(Batch).with_for_update()))
    candidates = [OpenBatch(b.batch_id, b.batch_no, b.district_id, names.get(b.district_id, ""),
                            b.due_fen - (b.bank_matched_fen or 0), b.written_off_at is not None) for b in batches]
    earlier = {(x.paid_on, x.payer.strip(), x.amount_fen, x.memo.strip()) for x in uow.session.scalars(
        select(StatementLine).where(StatementLine.batch_id.is_not(None),
                                    StatementLine.amount_fen.in_({line.amount_fen for line in lines})))}
    results = match_lines(lines, candidates, earlier)
    statement = BankStatement(filename=(filename or "statement.xlsx")[:200], uploaded_at=clock.utcnow_naive(),
                              uploaded_by=who.user, line_count=len(lines),
                              matched_count=sum(1 for r in results if r.matched))
    uow.session.add(statement)
    uow.session.flush()
    by_id = {b.batch_id: b for b in batches}
    for line, result in zip(lines, results):
        uow.session.add(StatementLine(statement_id=statement.id, row=line.row, paid_on=line.paid_on,
                                      payer=line.payer[:200], amount_fen=line.amount_fen, memo=line.memo[:500],
                                      batch_id=result.batch_id, reason_code=result.reason_code))
        if result.matched:
            batch = by_id[result.batch_id]
            batch.bank_matched_fen = (batch.bank_matched_fen or 0) + line.amount_fen
            _ledger(uow, who.user, cover_year=batch.cover_year, district_id=batch.district_id, account="bank",
                    kind="bank_matched", amount_fen=line.amount_fen, batch_id=batch.batch_id,
                    note=f"银行流水（{line.paid_on.isoformat()}，{line.payer}，摘要「{line.memo}」）"
                         f"匹配到批次 {batch.batch_no}：{result.reason}")
    uow.commit()
    return statement


def statement_lines(session, who: Identity, statement_id: int):
    from services.billing.adapters.orm import BankStatement, StatementLine

    who.require("centre")
    statement = session.get(BankStatement, statement_id)
    if statement is None:
        raise NotFound()
    lines = list(session.scalars(select(StatementLine).where(StatementLine.statement_id == statement_id)
                                 .order_by(StatementLine.row)))
    return statement, lines


# ------------------------------------------------------------------ dashboard figures

def dashboard(session, who: Identity, year: int) -> dict:
    """Per district: due, paid, outstanding, by type; per grassroots union: owed to its district."""
    names = {d.district_id: d.name for d in session.scalars(select(DistrictView))}
    union_names = dict(session.execute(select(UnionView.union_id, UnionView.name).where(
        UnionView.union_id.in_(select(PricedSubmission.union_id).where(PricedSubmission.cover_year == year)))).all())
    districts = []
    if who.role in ("centre", "district"):
        figures: dict[int, dict] = {}
        for batch in list_batches(session, who, cover_year=year):
            f = figures.setdefault(batch.district_id, {
                "district_id": batch.district_id, "district_name": names.get(batch.district_id), "batches": 0,
                "headcount": 0, "premium_fen": 0, "union_share_fen": 0, "credit_applied_fen": 0, "due_fen": 0,
                "paid_fen": 0, "outstanding_fen": 0, "overdue_batches": 0, "by_type": {}})
            row = reconciliation_row(batch)
            f["batches"] += 1
            f["overdue_batches"] += batch.status == "overdue"
            for key in ("headcount", "premium_fen", "union_share_fen", "credit_applied_fen", "due_fen"):
                f[key] += getattr(batch, key)
            f["paid_fen"] += row["paid_fen"]
            f["outstanding_fen"] += max(row["difference_fen"], 0)
            for t in json.loads(batch.by_type):
                acc = f["by_type"].setdefault(t["type"], {"headcount": 0, "premium_fen": 0, "union_share_fen": 0})
                for key in acc:
                    acc[key] += t[key]
        districts = list(figures.values())
    unions: dict[int, dict] = {}
    scoped = select(PricedSubmission).where(PricedSubmission.cover_year == year, PricedSubmission.status == "priced")
    if who.role == "grassroots":
        scoped = scoped.where(PricedSubmission.union_id == who.union_id)
    elif who.role == "district":
        scoped = scoped.where(PricedSubmission.district_id == who.district_id)
    sub = scoped.subquery()
    for row in session.execute(select(sub.c.union_id, sub.c.district_id, sub.c.cover_type,
                                      func.sum(sub.c.headcount), func.sum(sub.c.premium_fen),
                                      func.sum(sub.c.grassroots_share_fen))
                               .group_by(sub.c.union_id, sub.c.district_id, sub.c.cover_type)
                               .order_by(sub.c.union_id)):
        union_id, district_id, cover_type, headcount, premium, owes = row
        u = unions.setdefault(union_id, {"union_id": union_id, "union_name": union_names.get(union_id),
                                         "district_id": district_id, "headcount": 0, "premium_fen": 0,
                                         "grassroots_owes_fen": 0, "by_type": {}})
        u["headcount"] += int(headcount)
        u["premium_fen"] += int(premium)
        u["grassroots_owes_fen"] += int(owes)
        u["by_type"][cover_type] = u["by_type"].get(cover_type, 0) + int(headcount)
    timeline = cover_year(session, year)
    today = clock.today()
    deadlines = []
    if timeline:
        for what, day in (("参保金额比例设置截止", timeline.split_end), ("基层单位缴费截止", timeline.grassroots_end),
                          ("区局缴费截止", timeline.payment_deadline)):
            if day is not None:
                deadlines.append({"what": what, "date": day.isoformat(), "days_left": (day - today).days})
    return {"cover_year": year,
            "payment_deadline": timeline.payment_deadline.isoformat() if timeline else None,
            "days_to_payment_deadline": (timeline.payment_deadline - today).days if timeline else None,
            "deadlines": deadlines, "districts": districts, "unions": list(unions.values())}
