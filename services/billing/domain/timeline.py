"""The cover year's timeline as billing needs it (from enrollment.cover_year.configured). Pure."""

from __future__ import annotations

from datetime import date, timedelta

from common.clock import Window
from common.errors import OutsideWindow
from services.billing.domain.facts import SCHEMA_1_INSTANT_PAYMENT_DAYS


def require_open(window: Window | None, day: date, what: str) -> None:
    """Raise OutsideWindow (with the window in the message) unless `day` lies in it."""
    if window is None:
        raise OutsideWindow(f"{what}的办理时间尚未设置，请联系市职保中心", code="WINDOW_NOT_SET")
    if not window.contains(day):
        raise OutsideWindow(
            f"{what}的办理时间为 {window.text()}（北京时间），今天（{day.isoformat()}）不在此期间",
            window={"action": what, "start": window.start.isoformat(), "end": window.end.isoformat()},
        )


def is_overdue(deadline: date, today: date) -> bool:
    """The payment deadline day is still in time; the day after it is late."""
    return today > deadline


def pay_by(
    mode: str, submitted_on: date, centralised_deadline: date | None, instant_payment_days: int | None
) -> date | None:
    """When money is due (decision 0018). Centralised: the cover year's fixed deadline (the
    grassroots window's end for a union, the payment deadline for a district), None while the year
    is unknown. Instant: `instant_payment_days` — the cover year's, as enrollment (its owner)
    publishes it — after the day of the instant submission (union → district) or of the JB batch
    (district → centre); while billing has not heard of the year, the days schema 1 implied
    (domain/facts.py, read for one release)."""
    if mode == "centralised":
        return centralised_deadline
    days = SCHEMA_1_INSTANT_PAYMENT_DAYS if instant_payment_days is None else instant_payment_days
    return submitted_on + timedelta(days=days)
