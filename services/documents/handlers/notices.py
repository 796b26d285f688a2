"""The 告知书 PDFs: the grassroots union's notice for its centralised submission and the
district's notice for its centralised batch, rendered once everything they print is known, and
fetched by union and year or by batch."""
from __future__ import annotations

from sqlalchemy import func, select

from common.identity import Identity
from services.documents import settings
from services.documents.adapters import pdf
from services.documents.adapters.orm import BatchView, CoverYearView, DistrictView, SubmissionView, UnionView
from services.documents.domain import facts
from services.documents.domain.notices import (DISTRICT_NOTICE, GRASSROOTS_NOTICE, district_notice,
                                               grassroots_notice)
from services.documents.handlers.library import series_file, store

PDF = "application/pdf"


def _cover_year(session, cover_year: int) -> facts.CoverYear | None:
    view = session.get(CoverYearView, cover_year)
    if view is None:
        return None
    return facts.CoverYear(cover_year=view.cover_year, grassroots_deadline=view.grassroots_deadline,
                           cover_start=view.cover_start, cover_end=view.cover_end,
                           payment_deadline=view.payment_deadline, version=view.version)


def render_grassroots_notice(uow, row: SubmissionView) -> None:
    """Render the union's notice for this submission once everything it prints is known: both
    halves of the submission, the year's dates and the union's name. Instant enrolments get no
    notice (the guide has none for them); a submission overtaken by a later one whose notice is
    already out makes no new version (the last one counts)."""
    if not (row.submitted and row.priced) or row.returned:
        return
    sub = facts.parse_submission(row.submitted)
    price = facts.parse_submission_price(row.priced)
    if sub.mode != "centralised":
        return
    session = uow.session
    year = _cover_year(session, sub.cover_year)
    union = session.get(UnionView, sub.union_id)
    if year is None or union is None:
        return
    same_union = (SubmissionView.union_id == sub.union_id, SubmissionView.cover_year == sub.cover_year,
                  SubmissionView.returned.is_(False))
    overtaken = session.scalar(select(func.count()).where(*same_union, SubmissionView.sequence > sub.sequence,
                                                          SubmissionView.notice_key.is_not(None)))
    if overtaken:
        return
    # what the union owed by its earlier centralised submissions (instant ones are numbered apart)
    owes_before = sum(row.grassroots_owes_fen for row in session.scalars(select(SubmissionView).where(
        *same_union, SubmissionView.sequence < sub.sequence, SubmissionView.priced.is_not(None)))
        if (row.submitted or {}).get("mode") == "centralised")
    notice = grassroots_notice(union.name, year, sub, price, owes_before)
    key = notice.input_key()
    if row.notice_key == key:
        return
    store(uow, kind=GRASSROOTS_NOTICE, series=f"{GRASSROOTS_NOTICE}:{sub.union_id}:{sub.cover_year}",
          subject=f"submission:{sub.submission_id}", union_id=sub.union_id, district_id=sub.district_id,
          cover_year=sub.cover_year, filename=notice.filename, media_type=PDF, input_key=key,
          render=lambda: pdf.render_notice(notice))
    row.notice_key = key


def render_district_notice(uow, row: BatchView) -> None:
    """Render the district's notice for its centralised batch once both halves, the year's dates
    and the district's name are known."""
    if not (row.submitted and row.priced):
        return
    batch = facts.parse_batch(row.submitted)
    price = facts.parse_batch_price(row.priced)
    if batch.mode != "centralised":
        return  # the guide's district notice is the centralised one (集中参保); JB batches have none
    year = _cover_year(uow.session, batch.cover_year)
    district = uow.session.get(DistrictView, batch.district_id)
    if year is None or district is None:
        return
    notice = district_notice(district.name, year, batch, price, settings.bank_account())
    store(uow, kind=DISTRICT_NOTICE, series=f"{DISTRICT_NOTICE}:{batch.batch_id}", subject=f"batch:{batch.batch_id}",
          union_id=None, district_id=batch.district_id, cover_year=batch.cover_year, filename=notice.filename,
          media_type=PDF, input_key=notice.input_key(), render=lambda: pdf.render_notice(notice))


# ------------------------------------------------------------------ downloads (scoped)


def grassroots_notice_file(uow, who: Identity, union_id: int, cover_year: int, version: int | None = None):
    return series_file(uow, who, f"{GRASSROOTS_NOTICE}:{union_id}:{cover_year}", version)


def district_notice_file(uow, who: Identity, batch_id: int, version: int | None = None):
    return series_file(uow, who, f"{DISTRICT_NOTICE}:{batch_id}", version)
