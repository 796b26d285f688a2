"""Premium split (保障金额设置 / 基层缴费设置): per district, per cover type, who pays what of a
member's premium. Pure rules.

A district sets, for the full-year price, its own share (区局/各级工会默认缴纳) and the grassroots
default (基层单位默认缴纳); it may override the grassroots share for one grassroots union. Always:
city subsidy + district share + grassroots share = premium, to the fen.

For other price classes (the half-year instant price) the union share is split in the same
proportion, the grassroots part rounded half up to the fen and the district part taking the
remainder, so that the parts still sum exactly (docs/decisions/0010-half-year-split.md)."""

from __future__ import annotations

from dataclasses import dataclass

from common.money import yuan
from services.billing.domain.prices import Price


@dataclass(frozen=True)
class Shares:
    """What a district set for one cover type, per person, full year (fen)."""

    district_fen: int
    grassroots_fen: int


@dataclass(frozen=True)
class Rate:
    """Per person, for one price class: premium and who pays it (fen). Parts sum to the premium."""

    premium_fen: int
    city_subsidy_fen: int
    district_share_fen: int
    grassroots_share_fen: int

    @property
    def union_share_fen(self) -> int:
        return self.district_share_fen + self.grassroots_share_fen


class SplitMismatch(ValueError):
    """The parts do not add up to the premium; `difference_fen` = premium − parts."""

    def __init__(self, premium_fen: int, city_fen: int, shares: Shares):
        self.difference_fen = premium_fen - city_fen - shares.district_fen - shares.grassroots_fen
        parts = city_fen + shares.district_fen + shares.grassroots_fen
        super().__init__(
            f"市总统一划拨 {yuan(city_fen)} + 区局缴纳 {yuan(shares.district_fen)} + 基层缴纳 "
            f"{yuan(shares.grassroots_fen)} = {yuan(parts)} 元，与参保费用 {yuan(premium_fen)} 元不符，"
            f"{'还差' if self.difference_fen > 0 else '多出'} {yuan(abs(self.difference_fen))} 元"
        )


def check_shares(price: Price, special_industry: bool, shares: Shares) -> None:
    """Raise SplitMismatch unless city + district + grassroots = premium (full-year price)."""
    if shares.district_fen < 0 or shares.grassroots_fen < 0:
        raise ValueError("缴纳金额不能为负数")
    city = price.city_subsidy(special_industry)
    if city + shares.district_fen + shares.grassroots_fen != price.premium_fen:
        raise SplitMismatch(price.premium_fen, city, shares)


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for non-negative integers (no floats)."""
    return (2 * numerator + denominator) // (2 * denominator)


def rate_for(price: Price, full_year: Price, special_industry: bool, shares: Shares | None) -> Rate:
    """The per-person rate of one price class, given the district's full-year shares.

    No split set yet: the district bears the whole union share (the grassroots share is 0). If
    the city subsidy changed after the split (the district's special-industry flag flipped), the
    grassroots share is kept as far as the union share allows and the district takes the rest,
    so the parts still sum to the premium."""
    city = price.city_subsidy(special_industry)
    union = price.premium_fen - city
    full_union = full_year.union_share(special_industry)
    if shares is None or full_union <= 0:
        grassroots = 0
    elif union == full_union:
        grassroots = min(shares.grassroots_fen, union)  # never more than the unions pay between them
    else:
        grassroots = min(union, round_half_up_div(shares.grassroots_fen * union, full_union))
    return Rate(price.premium_fen, city, union - grassroots, grassroots)


def carried_shares(last: Price, this: Price, special_industry: bool, shares: Shares) -> tuple[Shares, str]:
    """Last year's shares proposed for this year (a district's split carried as a proposal).

    Same premium and city subsidy: the same shares, no remark. Otherwise the grassroots share is
    kept as far as this year's union share allows and the district's share takes the rest, so the
    proposal sums to this year's premium — and the remark says what changed, for the district to
    review before it saves."""
    city_last, city_this = last.city_subsidy(special_industry), this.city_subsidy(special_industry)
    if (last.premium_fen, city_last) == (this.premium_fen, city_this):
        return shares, ""
    union = this.premium_fen - city_this
    grassroots = min(shares.grassroots_fen, max(union, 0))
    carried = Shares(max(union, 0) - grassroots, grassroots)
    return carried, (
        f"上年度保障费用 {yuan(last.premium_fen)} 元、市总统一划拨 {yuan(city_last)} 元，本年度为 "
        f"{yuan(this.premium_fen)} 元、{yuan(city_this)} 元：基层缴纳按上年度 {yuan(shares.grassroots_fen)} 元"
        f"{'保留' if grassroots == shares.grassroots_fen else f'减为 {yuan(grassroots)} 元'}，"
        f"区局缴纳由 {yuan(shares.district_fen)} 元调整为 {yuan(carried.district_fen)} 元"
    )
