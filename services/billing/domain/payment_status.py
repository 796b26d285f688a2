"""A batch's payment status (缴费状态): billing owns it, and these are its only names — every screen
and every filter shows them from here (through billing's API). Pure."""

from __future__ import annotations

from datetime import datetime

# In the order a batch moves through them; a filter offers exactly these.
PAYMENT_STATUSES: dict[str, str] = {
    "awaiting_payment": "待缴费",
    "voucher_uploaded": "凭证已上传",
    "feedback_given": "职保中心已反馈",
    "part_paid": "部分到账",
    "paid": "已到账待核销",
    "written_off": "已核销",
    "overdue": "逾期未缴费，参保失败",
}


def payment_status(
    *,
    written_off: bool,
    overdue: bool,
    last_voucher_at: datetime | None,
    last_feedback_at: datetime | None,
    due_fen: int = 0,
    arrived_fen: int = 0,
) -> str:
    """The status from the facts: a write-off and a reported overdue are final; then money that
    arrived (bank lines matched) speaks before anything said about it — some of what is due is
    部分到账, all of it (or more) 已到账待核销; otherwise whichever came last of the district's
    latest voucher (still counted) and the centre's latest feedback."""
    if written_off:
        return "written_off"
    if overdue:
        return "overdue"
    if arrived_fen > 0:
        return "paid" if arrived_fen >= due_fen else "part_paid"
    if last_feedback_at is not None and (last_voucher_at is None or last_feedback_at >= last_voucher_at):
        return "feedback_given"
    if last_voucher_at is not None:
        return "voucher_uploaded"
    return "awaiting_payment"


def status_text(status: str) -> str:
    return PAYMENT_STATUSES.get(status, status)
