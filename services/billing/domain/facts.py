"""The facts billing reads from enrollment's events (docs/events.md), as frozen values built with
common.facts' readers. Pure, no I/O: a malformed event raises MalformedEvent naming the field, and
the consumer dead-letters it (common.facts.consumes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from common import clock
from common import facts as read
from common.facts import MalformedEvent
from services.billing.domain.prices import COVER_TYPES, PRICE_CLASSES

# Schema 1 of enrollment.cover_year.configured (before decision 0018) had no `instant_payment_days`:
# enrollment then applied 15 days to every year. Read for one release (a schema-1 year, or a year
# billing has not heard of yet); then schema 1 goes, and this with it. Enrollment owns the default.
SCHEMA_1_INSTANT_PAYMENT_DAYS = 15


@dataclass(frozen=True)
class CoverYear:
    """保障年度 as billing keeps it: the split window, the deadlines and the instant payment period."""

    cover_year: int
    split_start: date
    split_end: date
    grassroots_end: date | None
    cover_start: date | None
    cover_end: date | None
    payment_deadline: date
    instant_payment_days: int  # enrollment's (its default is enrollment's alone)
    version: int


def parse_cover_year(event: dict[str, Any]) -> CoverYear:
    """enrollment.cover_year.configured; `instant_payment_days` is required from schema 2."""
    data = event.get("data") or {}
    if data.get("instant_payment_days") is not None or int(event.get("schema_version") or 1) >= 2:
        days = read.integer(data, "instant_payment_days", 1)
    else:
        days = SCHEMA_1_INSTANT_PAYMENT_DAYS
    split = read.field(data, "split_window")
    if not isinstance(split, (list, tuple)) or len(split) != 2:
        raise MalformedEvent("split_window: not a [start, end] pair")
    grassroots = data.get("grassroots_window") or [None, None]
    return CoverYear(
        cover_year=read.integer(data, "cover_year", 2000),
        split_start=read.day({"split_window": split[0]}, "split_window"),
        split_end=read.day({"split_window": split[1]}, "split_window"),
        grassroots_end=read.day({"grassroots_window": grassroots[1]}, "grassroots_window") if grassroots[1] else None,
        cover_start=read.optional_day(data, "cover_start"),
        cover_end=read.optional_day(data, "cover_end"),
        payment_deadline=read.day(data, "payment_deadline"),
        instant_payment_days=days,
        version=read.integer(data, "version", 1),
    )


def price_class_counts(data: dict[str, Any]) -> dict[str, int]:
    """A submission's headcount per price class (`counts`, formerly `price_class_counts`)."""
    counts = data.get("counts") or data.get("price_class_counts")
    if not isinstance(counts, dict) or not counts:
        raise MalformedEvent("submission without price-class counts")
    for price_class, n in counts.items():
        if price_class not in PRICE_CLASSES or isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise MalformedEvent(f"bad price-class count {price_class}={n!r}")
    return counts


def submitted_on(data: dict[str, Any]) -> date:
    """The Asia/Shanghai day of `submitted_at` (ISO 8601 with offset); today when it is missing."""
    try:
        moment = datetime.fromisoformat(str(data.get("submitted_at") or ""))
    except ValueError:
        return clock.today()
    return moment.astimezone(clock.SHANGHAI).date() if moment.tzinfo else moment.date()


def _cover_type(data: dict[str, Any]) -> str:
    cover_type = read.text(data, "type")
    if cover_type not in COVER_TYPES:
        raise MalformedEvent(f"type: unknown cover type {cover_type!r}")
    return cover_type


def _mode(data: dict[str, Any]) -> str:
    mode = read.text(data, "mode")
    if mode not in ("centralised", "instant"):
        raise MalformedEvent(f"mode: not centralised or instant ({mode!r})")
    return mode


@dataclass(frozen=True)
class SubmissionSubmitted:
    """enrollment.submission.submitted: a union's submission, as billing prices it."""

    submission_id: int
    union_id: int
    district_id: int
    cover_year: int
    cover_type: str
    mode: str
    counts: dict[str, int]
    submitted_at: str
    submitted_on: date


def parse_submission_submitted(data: dict[str, Any]) -> SubmissionSubmitted:
    counts = price_class_counts(data)
    if sum(counts.values()) != read.integer(data, "headcount"):
        raise MalformedEvent("headcount: not the sum of the price-class counts")
    return SubmissionSubmitted(
        submission_id=read.integer(data, "submission_id", 1),
        union_id=read.integer(data, "union_id", 1),
        district_id=read.integer(data, "district_id", 1),
        cover_year=read.integer(data, "cover_year", 2000),
        cover_type=_cover_type(data),
        mode=_mode(data),
        counts=counts,
        submitted_at=str(data.get("submitted_at") or ""),
        submitted_on=submitted_on(data),
    )


@dataclass(frozen=True)
class BatchSubmission:
    """One union's submission inside a district's batch."""

    submission_id: int
    union_id: int
    cover_type: str
    counts: dict[str, int]


@dataclass(frozen=True)
class BatchSubmitted:
    """enrollment.batch.submitted: a district's batch of its unions' submissions."""

    batch_id: int
    batch_no: str
    district_id: int
    cover_year: int
    mode: str
    headcount: int
    submissions: tuple[BatchSubmission, ...]
    handler_name: str
    handler_phone: str
    handler_email: str
    submitted_at: str
    submitted_on: date


def parse_batch_submitted(data: dict[str, Any]) -> BatchSubmitted:
    listed = read.field(data, "submissions")
    if not isinstance(listed, list):
        raise MalformedEvent("submissions: not a list")
    submissions = tuple(
        BatchSubmission(
            read.integer(sub, "submission_id", 1),
            read.integer(sub, "union_id", 1),
            _cover_type(sub),
            price_class_counts(sub),
        )
        for sub in listed
    )
    handler = data.get("handler") or {}
    if not isinstance(handler, dict):
        raise MalformedEvent("handler: not an object")
    return BatchSubmitted(
        batch_id=read.integer(data, "batch_id", 1),
        batch_no=read.text(data, "batch_no"),
        district_id=read.integer(data, "district_id", 1),
        cover_year=read.integer(data, "cover_year", 2000),
        mode=_mode(data),
        headcount=read.integer(data, "headcount"),
        submissions=submissions,
        handler_name=str(handler.get("name") or ""),
        handler_phone=str(handler.get("phone") or ""),
        handler_email=str(handler.get("email") or ""),
        submitted_at=str(data.get("submitted_at") or ""),
        submitted_on=submitted_on(data),
    )


@dataclass(frozen=True)
class SubmissionReturned:
    """enrollment.submission.returned: the submission the district sent back, and why."""

    submission_id: int
    reason: str | None


def parse_submission_returned(data: dict[str, Any]) -> SubmissionReturned:
    reason = data.get("reason")
    return SubmissionReturned(
        read.integer(data, "submission_id", 1), reason.strip() or None if isinstance(reason, str) else None
    )
