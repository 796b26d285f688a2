"""The cover year's timeline as billing needs it (from enrollment.cover_year.configured). Pure."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from common.errors import OutsideWindow


@dataclass(frozen=True)
class Window:
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def text(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


def require_open(window: Window | None, day: date, what: str) -> None:
    """Raise OutsideWindow (with the window in the message) unless `day` lies in it."""
    if window is None:
        raise OutsideWindow(f"{what}的办理时间尚未设置，请联系市职保中心", code="WINDOW_NOT_SET")
    if not window.contains(day):
        raise OutsideWindow(f"{what}的办理时间为 {window.text()}（北京时间），今天（{day.isoformat()}）不在此期间",
                            window={"action": what, "start": window.start.isoformat(),
                                    "end": window.end.isoformat()})


def is_overdue(deadline: date, today: date) -> bool:
    """The payment deadline day is still in time; the day after it is late."""
    return today > deadline
