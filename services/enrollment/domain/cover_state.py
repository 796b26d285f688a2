"""职工保障查询: what a person's cover in a year is, in the five states a clerk answers with.
Pure rules, no I/O."""
from __future__ import annotations

NOT_FOUND_MESSAGE = "未查到该人员的参保信息"  # unknown and out of scope alike
BULK_LIMIT = 10_000
STATES = ("审核中", "已提交市职保中心", "已缴费", "已核销", "失败")
MODE_NAMES = {"centralised": "集中参保", "instant": "即时参保"}


def cover_state(cover_status: str, submission_status: str, batch_status: str | None) -> str | None:
    """None for a cover that never was one (its submission returned)."""
    if cover_status == "returned" or submission_status == "returned":
        return None
    if "failed" in (cover_status, submission_status, batch_status):
        return "失败"
    if cover_status == "granted" or batch_status == "written_off" or submission_status == "paid":
        return "已核销"
    if batch_status == "voucher_uploaded":
        return "已缴费"
    if submission_status == "in_batch" or batch_status is not None:
        return "已提交市职保中心"
    return "审核中"
