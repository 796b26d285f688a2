"""Documents' reads of its read models that handlers share: a cover year as the fact a notice
prints, a union's returned and latest counted centralised submissions of a year, and (schema 1
only) what a union owed by its earlier centralised submissions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from services.documents.adapters.orm import CoverYearView, SubmissionView
from services.documents.domain import facts


def cover_year(session, cover_year: int) -> facts.CoverYear | None:
    """The year's dates as kept from enrollment's event; None until it is known."""
    view = session.get(CoverYearView, cover_year)
    if view is None:
        return None
    return facts.CoverYear(
        cover_year=view.cover_year,
        grassroots_deadline=view.grassroots_deadline,
        cover_start=view.cover_start,
        cover_end=view.cover_end,
        payment_deadline=view.payment_deadline,
        version=view.version,
        instant_payment_days=view.instant_payment_days,
    )


def _mode(row: SubmissionView) -> str | None:
    return (row.submitted or row.priced or {}).get("mode")


def centralised_owed_before(session, sub: facts.Submission) -> int:
    """For a billing.submission.priced of schema 1 (read for one release; from schema 2 billing says
    it): what the union owed for the year by its earlier centralised submissions still counted."""
    return sum(
        row.grassroots_owes_fen
        for row in session.scalars(
            select(SubmissionView).where(
                SubmissionView.union_id == sub.union_id,
                SubmissionView.cover_year == sub.cover_year,
                SubmissionView.returned.is_(False),
                SubmissionView.sequence < sub.sequence,
                SubmissionView.priced.is_not(None),
            )
        )
        if _mode(row) == "centralised"
    )


def _centralised_of(session, union_id: int, cover_year: int, returned: bool) -> list[SubmissionView]:
    return [
        row
        for row in session.scalars(
            select(SubmissionView).where(
                SubmissionView.union_id == union_id,
                SubmissionView.cover_year == cover_year,
                SubmissionView.returned.is_(returned),
            )
        )
        if _mode(row) == "centralised"
    ]


def returned_centralised(session, union_id: int, cover_year: int) -> list[tuple[int, int, int, str, datetime]]:
    """The union's returned centralised submissions of the year whose facts are known, as
    (sequence, headcount, owes, reason, returned_at) for notices.left_out_of."""
    return [
        (
            row.sequence,
            int(row.submitted["headcount"]),
            row.grassroots_owes_fen or 0,
            row.return_reason or "未说明原因",
            row.returned_at.replace(tzinfo=UTC),
        )
        for row in _centralised_of(session, union_id, cover_year, returned=True)
        if row.submitted and row.sequence is not None and row.returned_at is not None
    ]


def latest_counted_centralised(session, union_id: int, cover_year: int) -> SubmissionView | None:
    """The union's latest centralised submission of the year still counted, with both halves known."""
    rows = [r for r in _centralised_of(session, union_id, cover_year, returned=False) if r.submitted and r.priced]
    return max(rows, key=lambda r: r.sequence or 0, default=None)
