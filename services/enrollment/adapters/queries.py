"""Enrollment's reads that several features share: the repository handlers ask instead of writing
these queries again (a cover year as the domain's CoverYear, a union's district)."""

from __future__ import annotations

from common.clock import Window
from common.errors import NotFound
from common.identity import Identity
from services.enrollment.adapters.orm import CoverYearRow, UnionView
from services.enrollment.domain.timeline import CoverYear


def cover_year_of(row: CoverYearRow) -> CoverYear:
    """A stored cover year as the domain's CoverYear."""
    return CoverYear(
        cover_year=row.cover_year,
        split_window=Window(row.split_start, row.split_end),
        grassroots_window=Window(row.grassroots_start, row.grassroots_end),
        district_review_window=Window(row.district_review_start, row.district_review_end),
        district_submit_window=Window(row.district_submit_start, row.district_submit_end),
        card_cutoff=row.card_cutoff,
        cover_start=row.cover_start,
        cover_end=row.cover_end,
        payment_deadline=row.payment_deadline,
        claims_deadline=row.claims_deadline,
        instant_payment_days=row.instant_payment_days,
    )


def cover_year_row(session, cover_year: int) -> CoverYearRow:
    row = session.get(CoverYearRow, cover_year)
    if row is None:
        raise NotFound(f"{cover_year}年度尚未配置", code="COVER_YEAR_NOT_FOUND")
    return row


def load_year(session, cover_year: int) -> CoverYear:
    """The year's timeline as the domain's CoverYear ; NotFound when it is not configured."""
    return cover_year_of(cover_year_row(session, cover_year))


def union_district(session, who: Identity) -> int:
    union = session.get(UnionView, who.union_id)
    district_id = union.district_id if union is not None else who.district_id
    if district_id is None:
        raise NotFound("未找到本工会所属的区局/产业工会", code="UNION_NOT_KNOWN")
    return district_id
