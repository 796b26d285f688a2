"""Premium splits (保障金额设置) and the effective rates they give each union."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from services.billing import contracts
from services.billing.adapters.orm import PricedSubmission, Split, UnionView
from services.billing.adapters.queries import cover_year, is_special
from services.billing.adapters.rates import load_price_table
from services.billing.domain.prices import COVER_TYPES, PRICE_CLASSES
from services.billing.domain.split import Shares, SplitMismatch, check_shares, rate_for
from services.billing.domain.timeline import Window, require_open

# ------------------------------------------------------------------ premium split (保障金额设置)


def set_split(
    uow: UoW, who: Identity, year: int, shares: dict[str, Shares], union_id: int | None = None
) -> list[Split]:
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
    require_open(
        Window(timeline.split_start, timeline.split_end) if timeline else None, clock.today(), "参保金额比例设置"
    )
    table = load_price_table(uow.session, year)
    if table is None:
        raise Conflict(f"{year} 年度的价格表尚未设置，请等待市职保中心设置后再分摊", code="PRICES_NOT_SET")
    _refuse_if_priced(uow.session, year, district_id, union_id)
    unknown = [t for t in shares if t not in COVER_TYPES]
    if unknown or not shares:
        raise ValidationFailed({"types": [f"保障类型须为 {'、'.join(COVER_TYPES)} 之一"]})
    special = is_special(uow.session, district_id)
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


SHOWN_BLOCKERS = 5


def _refuse_if_priced(session, year: int, district_id: int, union_id: int | None) -> None:
    """The late-split rule (decision 0015): once a submission of the year is priced at the split
    in force, the split stays; the district returns those submissions first. A priced amount is
    on a notice a union has already acted on, so it is never changed behind its back."""
    query = (
        select(PricedSubmission, UnionView.name)
        .outerjoin(UnionView, UnionView.union_id == PricedSubmission.union_id)
        .where(
            PricedSubmission.cover_year == year,
            PricedSubmission.district_id == district_id,
            PricedSubmission.status != "returned",
        )
        .order_by(PricedSubmission.submission_id)
    )
    if union_id is not None:
        query = query.where(PricedSubmission.union_id == union_id)
    blocking = session.execute(query.limit(SHOWN_BLOCKERS + 1)).all()
    if not blocking:
        return
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    named = "；".join(
        f"{name or f'基层工会 {sub.union_id}'}（提交编号 {sub.submission_id}，{sub.cover_type}类 {sub.headcount} 人）"
        for sub, name in blocking[:SHOWN_BLOCKERS]
    )
    more = f" 等 {count} 份" if count > SHOWN_BLOCKERS else f"，共 {count} 份"
    exc = Conflict(
        f"{year} 年度已有参保提交按现行比例计价：{named}{more}。这些提交的金额已写入告知书，"
        "不能再改比例；如确需修改，请先在“参保审核”中退回这些提交（已提交市职保中心的批次不能修改）。",
        code="SPLIT_LOCKED_BY_SUBMISSIONS",
    )
    exc.extra["submission_ids"] = [sub.submission_id for sub, _ in blocking[:SHOWN_BLOCKERS]]
    exc.extra["blocking_count"] = count
    raise exc


def save_split(
    uow, user: str, year: int, district_id: int, shares: dict[str, Shares], union_id: int | None = None
) -> list[Split]:
    """Store checked shares and publish the resulting per-person rates (billing.rates.published).
    Callers check the window and scope; the sum rule is checked here again."""
    table = load_price_table(uow.session, year)
    special = is_special(uow.session, district_id)
    for cover_type, share in shares.items():
        check_shares(table[(cover_type, "centralised")], special, share)
    now = clock.utcnow_naive()
    saved = []
    try:
        for cover_type, share in shares.items():
            row = uow.session.scalar(
                select(Split)
                .where(
                    Split.cover_year == year,
                    Split.district_id == district_id,
                    Split.union_id == (union_id or 0),
                    Split.cover_type == cover_type,
                )
                .with_for_update()
            )
            if row is None:
                row = Split(
                    cover_year=year, district_id=district_id, union_id=union_id or 0, cover_type=cover_type, version=0
                )
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


def _publish_rates(uow: UoW, row: Split, table: dict, special: bool, share: Shares) -> None:
    for price_class in PRICE_CLASSES:
        rate = rate_for(table[(row.cover_type, price_class)], table[(row.cover_type, "centralised")], special, share)
        uow.publish(
            contracts.RATES_PUBLISHED,
            {
                "cover_year": row.cover_year,
                "district_id": row.district_id,
                "union_id": row.union_id or None,
                "type": row.cover_type,
                "price_class": price_class,
                "premium_fen": rate.premium_fen,
                "city_subsidy_fen": rate.city_subsidy_fen,
                "district_share_fen": rate.district_share_fen,
                "grassroots_share_fen": rate.grassroots_share_fen,
                "version": row.version,
            },
        )


def _split_mismatch(errors: dict, differences: dict) -> ValidationFailed:
    exc = ValidationFailed(
        errors, message="市总统一划拨 + 区局缴纳 + 基层缴纳 须等于参保费用，请按提示修改", code="SPLIT_MISMATCH"
    )
    exc.extra["difference_fen"] = differences
    return exc


def list_splits(uow: UoW, who: Identity, year: int, district_id: int | None = None) -> list[dict]:
    """The split screen: per type, premium, city subsidy, district and grassroots shares; the
    district's default rows and any union overrides. Centre: any district; district: its own."""
    if who.role == "district":
        district_id = who.district_id
    elif district_id is None:
        raise ValidationFailed({"district_id": ["请指定区局（产业）工会"]})
    else:
        who.check_district(district_id)
    table = load_price_table(uow.session, year)
    if table is None:
        raise NotFound(f"{year} 年度的价格表尚未设置", code="PRICES_NOT_SET")
    special = is_special(uow.session, district_id)
    rows = list(
        uow.session.scalars(
            select(Split)
            .where(Split.cover_year == year, Split.district_id == district_id)
            .order_by(Split.union_id, Split.cover_type)
        )
    )
    out = []
    defaults = {r.cover_type: r for r in rows if r.union_id == 0}
    for cover_type in COVER_TYPES:
        price = table[(cover_type, "centralised")]
        row = defaults.get(cover_type)
        out.append(
            {
                "union_id": None,
                "type": cover_type,
                "premium_fen": price.premium_fen,
                "city_subsidy_fen": price.city_subsidy(special),
                "district_share_fen": row.district_fen if row else None,
                "grassroots_share_fen": row.grassroots_fen if row else None,
                "version": row.version if row else 0,
            }
        )
    for row in rows:
        if row.union_id:
            price = table[(row.cover_type, "centralised")]
            out.append(
                {
                    "union_id": row.union_id,
                    "type": row.cover_type,
                    "premium_fen": price.premium_fen,
                    "city_subsidy_fen": price.city_subsidy(special),
                    "district_share_fen": row.district_fen,
                    "grassroots_share_fen": row.grassroots_fen,
                    "version": row.version,
                }
            )
    return out


def republish_rates(uow: UoW, district_id: int) -> None:
    """Every split of the district again, with a new version, as the current prices make it."""
    splits = list(uow.session.scalars(select(Split).where(Split.district_id == district_id)))
    special = is_special(uow.session, district_id)
    tables = {}
    for row in splits:
        table = tables.setdefault(row.cover_year, load_price_table(uow.session, row.cover_year))
        row.version += 1
        _publish_rates(uow, row, table, special, Shares(row.district_fen, row.grassroots_fen))
