"""Who is late (账龄) and the reminders that escalate (催缴升级). Pure.

A batch still owing money is aged by the days past its pay-by (the day after the pay-by is day 1):
未到期, 1–7, 8–30, over 30. Reminders climb one step at a time, each once per batch: a first notice
to the district (from day 1), the district's handler again marked escalated (from day 8), then
the batch on the centre's list (from day 31), and never two steps within STEP_GAP_DAYS of each
other — a batch found late for the first time gets its first notice, and the district a week to
act on it, however often the job or the centre's button runs. Decision 0033."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import date

BUCKETS: dict[str, str] = {
    "not_due": "未到期",
    "days_1_7": "逾期 1–7 天",
    "days_8_30": "逾期 8–30 天",
    "over_30": "逾期 30 天以上",
}

# step → (from which day past the pay-by, its name)
STEPS: dict[str, tuple[int, str]] = {
    "first_notice": (1, "首次催缴：通知区局"),
    "escalated": (8, "升级催缴：再次通知区局经办人"),
    "centre_list": (31, "列入市职保中心逾期名单"),
}


# days a district has to act on one reminder before the next step
STEP_GAP_DAYS = 7


def days_past(pay_by: date | None, today: date) -> int:
    """Days past the pay-by (0 or less: not yet late; no pay-by: not due)."""
    return (today - pay_by).days if pay_by is not None else 0


def bucket(days: int) -> str:
    if days <= 0:
        return "not_due"
    if days <= 7:
        return "days_1_7"
    if days <= 30:
        return "days_8_30"
    return "over_30"


def next_step(days: int, short_fen: int, done: AbstractSet[str], since_last: int | None = None) -> str | None:
    """The reminder step due now, if any: the first step not yet taken, once its day has come,
    money is still short and the last step (`since_last` days ago; None: none taken) is at least
    STEP_GAP_DAYS old. One step a run — a batch found 40 days late gets its first notice first,
    so the district is never told "escalated" before it was told at all."""
    if short_fen <= 0 or (since_last is not None and since_last < STEP_GAP_DAYS):
        return None
    for step, (from_day, _name) in STEPS.items():
        if step in done:
            continue
        return step if days >= from_day else None
    return None


def step_text(step: str) -> str:
    return STEPS[step][1] if step in STEPS else step
