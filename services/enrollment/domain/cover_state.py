"""职工保障查询: what a person's cover in a year is. Two things a clerk answers apart: the cover
itself (保障中 / 已到期 / 未生效 / 已失效, from its dates and whether it failed) and where its
money and review stand (审核中 / 已提交市职保中心 / 已缴费 / 已核销 / 失败). Pure rules, no I/O."""

from __future__ import annotations

from datetime import date

NOT_FOUND_MESSAGE = "未查到该人员的参保信息"  # unknown and out of scope alike
BULK_LIMIT = 10_000
COVER_STATES = ("保障中", "已到期", "未生效", "已失效")
PAYMENT_STATES = ("审核中", "已提交市职保中心", "已缴费", "已核销", "失败")
MODE_NAMES = {"centralised": "集中参保", "instant": "即时参保"}


def _failed(cover_status: str, submission_status: str, batch_status: str | None) -> bool:
    return "failed" in (cover_status, submission_status, batch_status)


def _returned(cover_status: str, submission_status: str) -> bool:
    return cover_status == "returned" or submission_status == "returned"


def payment_state(cover_status: str, submission_status: str, batch_status: str | None) -> str | None:
    """Where the enrolment's review and money stand; None for a cover that never was one (its
    submission returned)."""
    if _returned(cover_status, submission_status):
        return None
    if _failed(cover_status, submission_status, batch_status):
        return "失败"
    if cover_status == "granted" or batch_status == "written_off" or submission_status == "paid":
        return "已核销"
    if batch_status == "voucher_uploaded":
        return "已缴费"
    if submission_status == "in_batch" or batch_status is not None:
        return "已提交市职保中心"
    return "审核中"


def cover_state(
    cover_start: date, cover_end: date, cover_status: str, submission_status: str, batch_status: str | None, today: date
) -> str | None:
    """The cover itself on `today`: 已失效 once its enrolment failed (unpaid by the deadline),
    else 未生效 before its first day, 保障中 from its first to its last day (both whole days),
    已到期 after; None for a cover that never was one (its submission returned)."""
    if _returned(cover_status, submission_status):
        return None
    if _failed(cover_status, submission_status, batch_status):
        return "已失效"
    if today < cover_start:
        return "未生效"
    if today <= cover_end:
        return "保障中"
    return "已到期"


def open_claims(covers: list[tuple[int, date, date | None, str | None]], today: date) -> list[dict[str, object]]:
    """The earlier years whose claims may still be made (issue 28 item 6): each cover year ended
    (已到期, a failed or returned one had no cover) whose claims deadline is today or later, once
    a year, oldest first; the line disappears the day after the deadline. `covers`: (cover_year,
    cover_end, claims_deadline, state)."""
    out: dict[int, date] = {}
    for year, cover_end, deadline, state in covers:
        if state == "已到期" and cover_end < today and deadline is not None and deadline >= today:
            out[year] = deadline
    return [
        {
            "cover_year": year,
            "claims_deadline": out[year],
            "message": f"{year}年度保障的理赔截止日为 {out[year].isoformat()}",
        }
        for year in sorted(out)
    ]
