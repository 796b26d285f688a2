"""The one clock every rule reads. Asia/Shanghai, time-zone aware, and settable by
configuration so that tests and demos move through a season without editing dates in code:
`CLOCK_NOW=2019-11-05T10:00:00` fixes it; `CLOCK_FILE=/path` reads that instant from a file on
every call (tests move many processes' clocks at once by rewriting it); `CLOCK_OFFSET_DAYS=-30`
shifts the real time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import overload
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_override: datetime | None = None


def set_now(value: datetime | None) -> None:
    """Fix the clock inside this process (tests); None returns to configuration."""
    global _override
    _override = value if value is None or value.tzinfo else (value.replace(tzinfo=SHANGHAI) if value else None)


def now() -> datetime:
    if _override is not None:
        return _override
    fixed = os.environ.get("CLOCK_NOW")
    clock_file = os.environ.get("CLOCK_FILE")
    if clock_file:
        try:
            with open(clock_file, encoding="utf-8") as f:
                fixed = f.read().strip() or fixed
        except FileNotFoundError:
            pass
    if fixed:
        value = datetime.fromisoformat(fixed)
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    current = datetime.now(SHANGHAI)
    offset = os.environ.get("CLOCK_OFFSET_DAYS")
    return current + timedelta(days=float(offset)) if offset else current


def today() -> date:
    return now().astimezone(SHANGHAI).date()


@overload
def shanghai(value: datetime) -> datetime: ...
@overload
def shanghai(value: None) -> None: ...
def shanghai(value: datetime | None) -> datetime | None:
    """A stored timestamp as Asia/Shanghai time with its offset; a naive one is UTC (how every
    service stores them). The one conversion every answer and page goes through."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI)


def file_stamp(value: datetime | None) -> str:
    """YYYYMMDDHHMMSS in Asia/Shanghai, for a download's file name (错误信息_20261208000200.xlsx):
    the time the screens show, never UTC. A naive value is UTC (as stored); None is now."""
    stamped = shanghai(value or now())
    assert stamped is not None  # a datetime in, a datetime out
    return stamped.strftime("%Y%m%d%H%M%S")


def utcnow_naive() -> datetime:
    """For database timestamps stored without a zone (always UTC)."""
    return now().astimezone(UTC).replace(tzinfo=None)


def real_utcnow_naive() -> datetime:
    """The machine's own time, never the business clock (which tests and demos move), naive UTC as
    database timestamps are: heartbeats, leases, sessions, outbox and inbox times."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Window:
    """A period of whole days (Asia/Shanghai), both days included: an action's 办理时间."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def describe(self) -> str:
        """In words: 2019年11月01日至2019年12月27日."""
        return f"{self.start:%Y年%m月%d日}至{self.end:%Y年%m月%d日}"

    def text(self) -> str:
        """In ISO dates: 2019-11-01 至 2019-12-27."""
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"
