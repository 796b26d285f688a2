"""开启下一年度: next year's timeline proposed from this one, for the centre to review and change
before it is saved (docs/decisions/0043-next-year-from-this-one.md). Pure rules, no I/O.

The rule, per date:
- every date goes a year on (same month and day; 29 February becomes 28 February);
- the fixed days of the year (办卡截止日, 起保日期, 终保日期, 理赔截止日) keep their calendar day
  whatever weekday it is: cover starts on 1 January, a Saturday or not;
- a working date (a window's first or last day, 缴费截止日) that was a weekday this year and would
  fall on a Saturday or Sunday goes to the nearest weekday (Saturday → Friday, Sunday → Monday),
  or to the other side of the weekend if the nearest would break an order of the season that
  this year kept; if both would, it stays on the weekend and says so. A date the centre put on a
  weekend this year stays where a year on puts it (it was chosen so). Nearest, not always
  earlier: year after year the windows neither shrink nor drift one way;
- the guide's pattern is then checked, not assumed: the split window ends before the grassroots
  window starts, districts submit after the grassroots window closes, everyone finishes before
  cover starts, the payment deadline falls after cover starts. A check that fails is shown; the
  centre decides.

Every date comes back with this year's value, the proposed one and, when it moved, why — nothing
is carried silently."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.enrollment.domain.timeline import CoverYear, build_cover_year

WINDOWS = (
    ("split_window", "参保金额比例设置"),
    ("grassroots_window", "基层集中参保办理"),
    ("district_review_window", "区局集中参保审核"),
    ("district_submit_window", "区局提交至市职保中心"),
)
FIXED_DAYS = (
    ("card_cutoff", "办卡截止日"),
    ("cover_start", "起保日期"),
    ("cover_end", "终保日期"),
    ("claims_deadline", "理赔截止日"),
)
WORKING = (*(f"{name}.{i}" for name, _ in WINDOWS for i in (0, 1)), "payment_deadline")
WEEKDAYS = "一二三四五六日"


def a_year_on(day: date) -> date:
    """The same month and day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 2, 28)


def weekday_name(day: date) -> str:
    return f"周{WEEKDAYS[day.weekday()]}"


def _weekend(day: date) -> bool:
    return day.weekday() >= 5


def _weekday_candidates(day: date) -> tuple[date, date]:
    """A weekend day's nearest weekday first (Saturday → Friday, Sunday → Monday), then the other."""
    if day.weekday() == 5:
        return day - timedelta(days=1), day + timedelta(days=2)
    return day + timedelta(days=1), day - timedelta(days=2)


@dataclass(frozen=True)
class ProposedDate:
    """One date of the proposal: its field ("split_window.0" …), label, this year's and next."""

    key: str
    label: str
    this_year: date
    proposed: date
    why: str = ""  # empty when the date simply went a year on

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "this_year": self.this_year,
            "proposed": self.proposed,
            "weekday": weekday_name(self.proposed),
            "moved": bool(self.why),
            "why": self.why or "顺延一年",
        }


@dataclass(frozen=True)
class NextYearProposal:
    cover_year: int
    from_year: int
    dates: list[ProposedDate]
    instant_payment_days: int
    checks: list[dict[str, Any]] = field(default_factory=list)

    def timeline(self) -> dict[str, Any]:
        """The proposal in the shape the cover-year form takes (windows as [start, end])."""
        data: dict[str, Any] = {"instant_payment_days": self.instant_payment_days}
        for d in self.dates:
            name, _, index = d.key.partition(".")
            if index:
                data.setdefault(name, [None, None])[int(index)] = d.proposed
            else:
                data[name] = d.proposed
        return data


def _failed_order(data: dict[str, Any]) -> int:
    """How many of the season's order conditions a timeline breaks (windows the right way round,
    the guide's pattern, district submission not before grassroots submission opens)."""
    windows = [data[name] for name, _ in WINDOWS]
    failed = sum(1 for start, end in windows if start > end)
    failed += sum(1 for check in pattern_checks(data) if not check["ok"])
    early_submit: bool = data["district_submit_window"][0] < data["grassroots_window"][0]
    return failed + int(early_submit)


def _set(data: dict[str, Any], key: str, day: date) -> dict[str, Any]:
    name, _, index = key.partition(".")
    out = {**data, name: list(data[name]) if index else day}
    if index:
        out[name][int(index)] = day
    return out


def propose_next_year(year: CoverYear) -> NextYearProposal:
    """Next year's timeline from this one, each date with why it is what it is (rules above)."""
    labels: list[tuple[str, str, date]] = []
    for name, label in WINDOWS:
        window = getattr(year, name)
        labels += [(f"{name}.0", f"{label}开始", window.start), (f"{name}.1", f"{label}结束", window.end)]
    labels += [(name, label, getattr(year, name)) for name, label in FIXED_DAYS]
    labels.append(("payment_deadline", "区局缴费截止日", year.payment_deadline))
    data: dict[str, Any] = {}
    for key, _, day in labels:  # first every date a year on …
        name, _, index = key.partition(".")
        if index:
            data.setdefault(name, [None, None])[int(index)] = a_year_on(day)
        else:
            data[name] = a_year_on(day)
    whys: dict[date, str] = {}
    moving = sorted({day for key, _, day in labels if key in WORKING and not _weekend(day)})
    for day in moving:  # … then weekdays kept where the season's order allows; dates that were
        shifted = a_year_on(day)  # the same day this year move together and stay the same day
        if not _weekend(shifted):
            continue
        keys = [key for key, _, d in labels if key in WORKING and d == day]
        before = _failed_order(data)
        for candidate in _weekday_candidates(shifted):
            trial = data
            for key in keys:
                trial = _set(trial, key, candidate)
            if _failed_order(trial) <= before:
                data = trial
                direction = "顺延至" if candidate > shifted else "提前至"
                whys[day] = (
                    f"顺延一年为 {shifted.isoformat()}（{weekday_name(shifted)}），{direction}{weekday_name(candidate)}"
                )
                break
        else:
            whys[day] = f"顺延一年为 {shifted.isoformat()}（{weekday_name(shifted)}）；移到工作日会打乱时间顺序，保留"
    dates: list[ProposedDate] = []
    for key, label, day in labels:
        name, _, index = key.partition(".")
        proposed = data[name][int(index)] if index else data[name]
        dates.append(ProposedDate(key, label, day, proposed, whys.get(day, "") if key in WORKING else ""))
    proposal = NextYearProposal(year.cover_year + 1, year.cover_year, dates, year.instant_payment_days)
    return NextYearProposal(
        proposal.cover_year, proposal.from_year, dates, year.instant_payment_days, pattern_checks(proposal.timeline())
    )


def pattern_checks(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The guide's order of the season, each as a sentence and whether the timeline keeps it."""
    split, grassroots = data["split_window"], data["grassroots_window"]
    submit = data["district_submit_window"]
    return [
        {"label": "比例设置在基层集中参保办理开始之前结束", "ok": split[1] < grassroots[0]},
        {"label": "基层集中参保办理在起保日期之前结束", "ok": grassroots[1] < data["cover_start"]},
        {"label": "区局提交至市职保中心在基层集中参保办理结束之后开始", "ok": grassroots[1] < submit[0]},
        {"label": "区局提交至市职保中心在起保日期之前结束", "ok": submit[1] < data["cover_start"]},
        {"label": "办卡截止日在起保日期之前", "ok": data["card_cutoff"] < data["cover_start"]},
        {
            "label": "区局缴费截止日在起保日期之后、保障期内",
            "ok": data["cover_start"] < data["payment_deadline"] <= data["cover_end"],
        },
        {"label": "理赔截止日不早于终保日期", "ok": data["claims_deadline"] >= data["cover_end"]},
    ]


def check_proposal(proposal: NextYearProposal) -> CoverYear:
    """The proposal as a valid CoverYear (raises ValidationFailed like any configured timeline)."""
    return build_cover_year(proposal.cover_year, proposal.timeline())
