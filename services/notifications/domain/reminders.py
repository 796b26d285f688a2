"""Deadline reminders: which deadlines remind whom, and when. Pure rules, no I/O."""

from __future__ import annotations

from datetime import date

DEFAULT_DAYS_BEFORE = (7, 3, 1)

# The deadlines of the cover year's timeline (enrollment's DEADLINES keys) that have someone who
# can miss them, who that is, and what they have not done yet.
REMINDED = {
    "grassroots_end": (
        "union",
        "尚未提交集中参保",
        "请在截止日前提交本会符合条件会员的集中参保并划款至区局。",
        "/union/enrolment",
    ),
    "district_submit_end": (
        "district",
        "尚有参保信息未提交市职保中心",
        "你局尚有待审核或待提交的集中参保信息，请在截止日前审核并提交市职保中心。",
        "/district/review",
    ),
    "payment_deadline": (
        "district",
        "尚有参保批次未缴费",
        "你局尚有未核销的集中参保批次，逾期未缴费则批次参保全部无效，请尽快缴费并上传缴费凭证。",
        "/batches",
    ),
}
LABELS = {
    "split_end": "区局参保金额比例设置截止",
    "grassroots_end": "基层工会提交及划款至区局截止",
    "district_submit_end": "区局提交至市职保中心截止",
    "payment_deadline": "区局缴费至市职保中心截止",
}
# Deadlines the centre sees listed with the others but that remind no one yet: who has not set a
# split is billing's to say (enrollment, asked for the rest, does not know).
LISTED_ONLY = {"split_end": "district"}


def due_offset(deadline: date, today: date, days_before: list[int]) -> int | None:
    """The reminder due today: the smallest configured offset N with deadline − N ≤ today ≤
    deadline (a job that was down on the day of an earlier offset sends only the latest one)."""
    left = (deadline - today).days
    if left < 0:
        return None
    candidates = [n for n in days_before if n >= left]
    return min(candidates) if candidates else None


def check_days(days_before: list[int]) -> list[str]:
    problems = []
    if not days_before:
        problems.append("至少设置一个提前天数")
    if any(not isinstance(n, int) or n < 0 or n > 60 for n in days_before):
        problems.append("提前天数应为 0 到 60 之间的整数")
    if len(set(days_before)) != len(days_before):
        problems.append("提前天数不能重复")
    return problems


def reminder_message(deadline_key: str, cover_year: int, deadline: date, days_left: int) -> tuple[str, str, str, str]:
    audience, what, body, link = REMINDED[deadline_key]
    when = "今天截止" if days_left == 0 else f"还有 {days_left} 天截止"
    title = f"{cover_year}年度{LABELS[deadline_key]}（{deadline:%Y年%m月%d日}）{when}：{what}"
    return audience, title, body, link
