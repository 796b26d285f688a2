"""The cover year (保障年度) and its timeline: every date is data, configured by the centre per
year. Pure rules, no I/O. All dates are Asia/Shanghai and windows are inclusive of both days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from common.clock import Window
from common.errors import OutsideWindow, ValidationFailed

# The actions a cover year governs, with the Chinese name shown in a refusal.
ACTIONS = {
    "split": "参保金额比例设置",
    "grassroots": "集中参保办理",
    "district_review": "集中参保审核",
    "district_submit": "提交至市职保中心",
    "instant": "即时参保办理",
}


# 即时参保划款期限: an instant enrolment has no fixed deadline in the guide. A union pays its district
# within this many days of its instant submission, a district the centre within this many days of
# its JB batch (docs/decisions/0018-instant-pay-by.md); billing computes the dates.
DEFAULT_INSTANT_PAYMENT_DAYS = 15
INSTANT_PAYMENT_DAYS_RANGE = (1, 90)
INSTANT_PAYMENT_LABEL = "即时参保划款期限（提交之日起天数）"


# Every deadline of a cover year under its own name, with who must act by it — the one list every
# screen, notice and reminder takes its labels from (two deadlines never share a label).
DEADLINES = (
    ("split_end", "参保金额比例设置截止", ("district", "centre")),
    ("grassroots_end", "基层工会提交及划款至区局截止", ("grassroots", "district", "centre")),
    ("district_submit_end", "区局提交至市职保中心截止", ("district", "centre")),
    ("card_cutoff", "集中参保办卡截止", ("grassroots", "district", "centre")),
    ("payment_deadline", "区局缴费至市职保中心截止", ("district", "centre")),
    ("claims_deadline", "给付申请材料截止", ("grassroots", "district", "centre")),
)


@dataclass(frozen=True)
class CoverYear:
    """保障年度: the timeline of one year of group cover."""

    cover_year: int
    split_window: Window
    grassroots_window: Window
    district_review_window: Window
    district_submit_window: Window
    card_cutoff: date
    cover_start: date
    cover_end: date
    payment_deadline: date
    claims_deadline: date
    instant_payment_days: int = DEFAULT_INSTANT_PAYMENT_DAYS

    @property
    def instant_window(self) -> Window:
        """即时参保: from the first day of cover to the last."""
        return Window(self.cover_start, self.cover_end)

    def window(self, action: str) -> Window:
        return self.instant_window if action == "instant" else getattr(self, f"{action}_window")

    def check_open(self, action: str, today: date) -> None:
        """Refuse (409 OUTSIDE_WINDOW) with the window in the message unless `today` is inside it."""
        window = self.window(action)
        if not window.contains(today):
            raise OutsideWindow(
                f"{self.cover_year}年度{ACTIONS[action]}的办理时间为{window.describe()}，当前不在办理时间内",
                window={"action": action, "start": window.start.isoformat(), "end": window.end.isoformat()},
            )

    def deadlines(self) -> list[dict[str, Any]]:
        """The year's deadlines in date order: key, Chinese name, date and the roles they bind."""
        dates = {
            "split_end": self.split_window.end,
            "grassroots_end": self.grassroots_window.end,
            "district_submit_end": self.district_submit_window.end,
            "card_cutoff": self.card_cutoff,
            "payment_deadline": self.payment_deadline,
            "claims_deadline": self.claims_deadline,
        }
        return sorted(
            ({"key": key, "label": label, "date": dates[key], "roles": list(roles)} for key, label, roles in DEADLINES),
            key=lambda d: d["date"],
        )

    def first_half_ends(self) -> date:
        return date(self.cover_end.year, 6, 30)


def build_cover_year(cover_year: int, data: dict[str, Any]) -> CoverYear:
    """Validate a configured timeline; every problem is reported against its field."""
    errors: dict[str, list[str]] = {}
    windows = {}
    for name in ("split_window", "grassroots_window", "district_review_window", "district_submit_window"):
        start, end = data[name]
        if start > end:
            errors[name] = ["开始日期不能晚于结束日期"]
        windows[name] = Window(start, end)
    if data["cover_start"] > data["cover_end"]:
        errors["cover_end"] = ["终保日期不能早于起保日期"]
    if data["cover_start"].year != cover_year:
        errors["cover_start"] = [f"起保日期应在 {cover_year} 年内"]
    if data["card_cutoff"] >= data["cover_start"]:
        errors["card_cutoff"] = ["办卡截止日应早于起保日期"]
    if not errors:
        if windows["grassroots_window"].end >= data["cover_start"]:
            errors["grassroots_window"] = ["基层集中参保办理应在起保日期之前结束"]
        if windows["district_submit_window"].end >= data["cover_start"]:
            errors["district_submit_window"] = ["区局提交应在起保日期之前结束"]
        if windows["district_submit_window"].start < windows["grassroots_window"].start:
            errors["district_submit_window"] = ["区局提交不能早于基层集中参保办理开始"]
        if data["payment_deadline"] < data["cover_start"] or data["payment_deadline"] > data["cover_end"]:
            errors["payment_deadline"] = ["缴费截止日应在保障期内"]
        if data["claims_deadline"] < data["cover_end"]:
            errors["claims_deadline"] = ["理赔截止日不能早于终保日期"]
    days = data.get("instant_payment_days")
    days = DEFAULT_INSTANT_PAYMENT_DAYS if days is None else days
    low, high = INSTANT_PAYMENT_DAYS_RANGE
    if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
        errors["instant_payment_days"] = [f"即时参保划款期限应为 {low} 至 {high} 天"]
    if errors:
        raise ValidationFailed(errors)
    return CoverYear(
        cover_year=cover_year,
        card_cutoff=data["card_cutoff"],
        cover_start=data["cover_start"],
        cover_end=data["cover_end"],
        payment_deadline=data["payment_deadline"],
        claims_deadline=data["claims_deadline"],
        instant_payment_days=days,
        **windows,
    )
