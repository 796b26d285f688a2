"""Price tables (保障价格表): per cover year, per cover type (保障类型) and price class, what a
member's cover costs (参保费用) and how much of it the city allocates (市总统一划拨). Pure rules.

Price classes:
- `centralised` — 集中参保, card issued by the cut-off, the whole year;
- `instant_first_half` — 即时参保, card issued in the first half-year;
- `instant_second_half` — 即时参保, card issued in the second half-year (half price).

Special-industry districts (东航、民航华东局、民航华东空管局、铁路工会、中国金融工会) get a lower city
subsidy; the table carries it beside the ordinary one."""

from __future__ import annotations

from dataclasses import dataclass

COVER_TYPES = ("A", "A+", "B", "B+")
PRICE_CLASSES = ("centralised", "instant_first_half", "instant_second_half")
PRICE_CLASS_NAMES = {
    "centralised": "集中参保（全年）",
    "instant_first_half": "即时参保（上半年办卡）",
    "instant_second_half": "即时参保（下半年办卡）",
}
TYPE_NAMES = {
    "A": "A类会员专享基本保障",
    "A+": "A+类会员专享基本保障",
    "B": "B类会员专享基本保障",
    "B+": "B+类会员专享基本保障",
}


@dataclass(frozen=True)
class Price:
    """One cell of the price table, per person, in fen (参保费用 / 市总统一划拨 / 特殊行业市总补贴)."""

    premium_fen: int
    city_subsidy_fen: int
    special_city_subsidy_fen: int

    def city_subsidy(self, special_industry: bool) -> int:
        return self.special_city_subsidy_fen if special_industry else self.city_subsidy_fen

    def union_share(self, special_industry: bool) -> int:
        """What the unions pay between them (premium − city subsidy)."""
        return self.premium_fen - self.city_subsidy(special_industry)


PriceTable = dict[tuple[str, str], "Price"]  # {(cover_type, price_class): Price}


def _yuan(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def price_table_2020() -> PriceTable:
    """SPEC §4, exactly: full-year and half-year premiums and subsidies, special industries too."""
    full = {"A": ("26", "13", "6.5"), "B": ("90", "40", "22.5"), "A+": ("76", "13", "6.5"), "B+": ("140", "40", "22.5")}
    half = {"A": ("13", "6.5", "3"), "B": ("45", "20", "11"), "A+": ("38", "6.5", "3"), "B+": ("70", "20", "11")}
    table: PriceTable = {}
    for cover_type in COVER_TYPES:
        for price_class, source in (("centralised", full), ("instant_first_half", full), ("instant_second_half", half)):
            premium, city, special = (_yuan(v) for v in source[cover_type])
            table[(cover_type, price_class)] = Price(premium, city, special)
    return table


def price_table_errors(table: PriceTable) -> dict[str, list[str]]:
    """Field messages for a table that is incomplete or inconsistent ({} when it is fine)."""
    errors: dict[str, list[str]] = {}
    for cover_type in COVER_TYPES:
        for price_class in PRICE_CLASSES:
            key = f"{cover_type}.{price_class}"
            price = table.get((cover_type, price_class))
            if price is None:
                errors[key] = ["缺少该保障类型的价格"]
                continue
            if price.premium_fen <= 0:
                errors[key] = ["参保费用须大于 0"]
            elif price.city_subsidy_fen > price.premium_fen or price.special_city_subsidy_fen > price.premium_fen:
                errors[key] = ["市总补贴不能高于参保费用"]
    return errors
