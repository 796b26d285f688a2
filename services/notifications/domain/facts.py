"""The facts notifications tells people of, read from other services' events (docs/events.md).

Pure parsing, no I/O: each `parse_*` takes an event's `data` and returns a frozen value, or raises
`MalformedEvent` naming the field (common/facts.py); the consumer handlers are wrapped in
`common.facts.consumes`, so such an event is dead-lettered at once and nothing of it is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from common import facts
from common.facts import MalformedEvent

_int, _opt_int, _text, _field = facts.integer, facts.optional_integer, facts.text, facts.field


def _opt_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _flag(data: dict[str, Any], key: str) -> bool:
    value = _field(data, key)
    if not isinstance(value, bool):
        raise MalformedEvent(f"{key}: not true or false ({value!r})")
    return value


@dataclass(frozen=True)
class SubmissionReturned:
    """enrollment.submission.returned."""

    union_id: int
    cover_year: int
    mode: str | None
    reason: str | None


def parse_submission_returned(data: dict[str, Any]) -> SubmissionReturned:
    return SubmissionReturned(
        _int(data, "union_id", 1), _int(data, "cover_year", 2000), _opt_text(data, "mode"), _opt_text(data, "reason")
    )


@dataclass(frozen=True)
class MemberRejected:
    """members.member.rejected; `union_id` None: a member of no union (no one to tell)."""

    union_id: int | None
    member_id: int
    name: str


def parse_member_rejected(data: dict[str, Any]) -> MemberRejected:
    return MemberRejected(_opt_int(data, "union_id"), _int(data, "member_id", 1), _text(data, "name"))


def parse_members_rejected(data: Any, schema_version: int) -> list[MemberRejected]:
    """members.member.rejected, either shape (both read for one release, docs/events.md): from
    schema version 2 the snapshots of many members (`members`), before it one (`data` itself)."""
    if schema_version < 2:
        return [parse_member_rejected(data)]
    snapshots = _field(data, "members")
    if not isinstance(snapshots, list) or not all(isinstance(s, dict) for s in snapshots):
        raise MalformedEvent("members: not a list of member snapshots")
    return [parse_member_rejected(s) for s in snapshots]


@dataclass(frozen=True)
class TransfersRequested:
    """members.transfers.requested: another union asks to bring `count` members of this one over."""

    from_union_id: int
    to_union_name: str | None
    count: int


def parse_transfers_requested(data: dict[str, Any]) -> TransfersRequested:
    return TransfersRequested(_int(data, "from_union_id", 1), _opt_text(data, "to_union_name"), _int(data, "count", 1))


@dataclass(frozen=True)
class TransferDecided:
    """members.transfer.decided: the source union's answer, for the union that asked."""

    to_union_id: int
    name: str
    approved: bool
    reason: str | None


def parse_transfer_decided(data: dict[str, Any]) -> TransferDecided:
    return TransferDecided(
        _int(data, "to_union_id", 1), _text(data, "name"), _flag(data, "approved"), _opt_text(data, "reason")
    )


@dataclass(frozen=True)
class BatchSubmitted:
    """enrollment.batch.submitted: a batch, its district and the unions in it."""

    batch_id: int
    batch_no: str
    district_id: int
    cover_year: int
    mode: str
    union_ids: tuple[int, ...]


def parse_batch_submitted(data: dict[str, Any]) -> BatchSubmitted:
    submissions = _field(data, "submissions")
    if not isinstance(submissions, list):
        raise MalformedEvent("submissions: not a list")
    return BatchSubmitted(
        batch_id=_int(data, "batch_id", 1),
        batch_no=_text(data, "batch_no"),
        district_id=_int(data, "district_id", 1),
        cover_year=_int(data, "cover_year", 2000),
        mode=_text(data, "mode"),
        union_ids=tuple(sorted({_int(s, "union_id", 1) for s in submissions})),
    )


@dataclass(frozen=True)
class BatchEvent:
    """billing.batch.feedback_given / written_off / overdue: which batch (its audiences are known from
    enrollment's event) and, for feedback, the centre's words."""

    batch_id: int
    message: str


def parse_batch_event(data: dict[str, Any]) -> BatchEvent:
    return BatchEvent(_int(data, "batch_id", 1), _opt_text(data, "message") or "")


@dataclass(frozen=True)
class Document:
    """documents.document.ready and documents.document.withdrawn: a version of a document; for a
    withdrawn one also why, and the version of its series that counts now."""

    kind: str
    version: int
    union_id: int | None
    district_id: int | None
    cover_year: int
    about: str
    reason: str | None = None
    current_version: int | None = None


def parse_document(data: dict[str, Any]) -> Document:
    return Document(
        kind=_text(data, "kind"),
        version=_int(data, "version", 1) if data.get("version") is not None else 1,
        union_id=_opt_int(data, "union_id"),
        district_id=_opt_int(data, "district_id"),
        cover_year=_int(data, "cover_year", 2000),
        about=_opt_text(data, "about") or "",
        reason=_opt_text(data, "reason"),
        current_version=_opt_int(data, "current_version"),
    )


# each deadline reminded or listed: the event's field, and the end of it when it is a window
DEADLINE_FIELDS = {
    "grassroots_end": ("grassroots_window", True),
    "district_submit_end": ("district_submit_window", True),
    "split_end": ("split_window", True),
    "card_cutoff": ("card_cutoff", False),
    "payment_deadline": ("payment_deadline", False),
    "claims_deadline": ("claims_deadline", False),
}


@dataclass(frozen=True)
class CoverYear:
    """enrollment.cover_year.configured: the deadlines reminders count down to (ISO dates)."""

    cover_year: int
    deadlines: dict[str, str]
    version: int


def parse_cover_year(data: dict[str, Any]) -> CoverYear:
    deadlines = {
        key: (facts.window_end(data, name) if window else facts.day(data, name)).isoformat()
        for key, (name, window) in DEADLINE_FIELDS.items()
    }
    return CoverYear(_int(data, "cover_year", 2000), deadlines, _int(data, "version", 1))


@dataclass(frozen=True)
class PaymentReminder:
    """billing.batch.payment_reminder (催缴): billing decides the step (first_notice, the district's
    handler again, centre_list); notifications only words it."""

    batch_no: str
    district_id: int
    step: str
    escalated: bool
    handler_name: str | None
    days_past: int
    short_fen: int


def parse_payment_reminder(data: dict[str, Any]) -> PaymentReminder:
    handler = data.get("handler")
    return PaymentReminder(
        _text(data, "batch_no"),
        _int(data, "district_id", 1),
        _text(data, "step"),
        _flag(data, "escalated"),
        _opt_text(handler, "name") if isinstance(handler, dict) else None,
        _int(data, "days_past"),
        _int(data, "short_fen"),
    )
