"""The 告知书 PDFs: the grassroots union's notice for its centralised submissions (one series per
union and year) and for each instant submission, and the district's notice for each batch (CB or
JB), rendered once everything they print is known, fetched by union and year, by submission or by
batch, and withdrawn when their submission is returned.

Seam (handlers/__init__.py): `library.store`, `library.series_file`, `library.withdraw`,
`library.announce_withdrawn` — the document store."""

from __future__ import annotations

from sqlalchemy import select

from common.db import UoW
from common.identity import Identity
from services.documents import settings
from services.documents.adapters import pdf, queries
from services.documents.adapters.orm import BatchView, DistrictView, SubmissionView, UnionView
from services.documents.domain import facts
from services.documents.domain.notices import (
    DISTRICT_NOTICE,
    GRASSROOTS_NOTICE,
    INSTANT_NOTICE,
    district_notice,
    grassroots_notice,
    instant_notice,
    left_out_of,
    owes_before,
)
from services.documents.handlers.library import announce_withdrawn, series_file, store, withdraw

PDF = "application/pdf"


def _mode(row: SubmissionView) -> str | None:
    return (row.submitted or row.priced or {}).get("mode")


def render_submission_notice(uow: UoW, row: SubmissionView) -> None:
    """Render the union's notice for this submission once everything it prints is known: both
    halves of the submission, the year's dates and the union's name — the centralised notice or,
    for an instant submission, its own instant notice. A submission returned before that gets none."""
    if not (row.submitted and row.priced) or row.returned:
        return
    sub = facts.parse_submission(row.submitted)
    price = facts.parse_submission_price(row.priced)
    if sub.mode == "centralised":
        _render_grassroots_notice(uow, row, sub, price)
    else:
        _render_instant_notice(uow, row, sub, price)


def _render_instant_notice(uow: UoW, row: SubmissionView, sub: facts.Submission, price: facts.SubmissionPrice) -> None:
    """即时参保告知书: one per instant submission (each has its own members, amounts and pay-by)."""
    year = queries.cover_year(uow.session, sub.cover_year)
    union = uow.session.get(UnionView, sub.union_id)
    if year is None or union is None:
        return
    notice = instant_notice(union.name, year, sub, price)
    key = notice.input_key()
    if row.notice_key == key:
        return
    store(
        uow,
        kind=INSTANT_NOTICE,
        series=f"{INSTANT_NOTICE}:{sub.submission_id}",
        about=f"{union.name} {sub.submitted_at:%Y-%m-%d} 提交",
        subject=f"submission:{sub.submission_id}",
        union_id=sub.union_id,
        district_id=sub.district_id,
        cover_year=sub.cover_year,
        filename=notice.filename,
        media_type=PDF,
        input_key=key,
        render=lambda: pdf.render_notice(notice),
    )
    row.notice_key = key


def _render_grassroots_notice(
    uow: UoW, row: SubmissionView, sub: facts.Submission, price: facts.SubmissionPrice
) -> None:
    """The union's centralised notice; a submission overtaken by a later centralised one whose
    notice is already out makes no new version (the last one counts)."""
    session = uow.session
    year = queries.cover_year(session, sub.cover_year)
    union = session.get(UnionView, sub.union_id)
    if year is None or union is None:
        return
    same_union = (
        SubmissionView.union_id == sub.union_id,
        SubmissionView.cover_year == sub.cover_year,
        SubmissionView.returned.is_(False),
    )
    later = session.scalars(
        select(SubmissionView).where(
            *same_union, SubmissionView.sequence > sub.sequence, SubmissionView.notice_key.is_not(None)
        )
    )
    if any(_mode(other) == "centralised" for other in later):  # instant ones are numbered apart
        return
    left_out = left_out_of(sub, queries.returned_centralised(session, sub.union_id, sub.cover_year))
    owes = owes_before(price, left_out)  # billing's figure (schema 2), less what it still counted
    if owes is None:  # schema 1, read for one release: what the union owed by its earlier centralised submissions
        owes = queries.centralised_owed_before(session, sub)
    notice = grassroots_notice(union.name, year, sub, price, owes, left_out)
    key = notice.input_key()
    if row.notice_key == key:
        return
    store(
        uow,
        kind=GRASSROOTS_NOTICE,
        series=f"{GRASSROOTS_NOTICE}:{sub.union_id}:{sub.cover_year}",
        about=f"{union.name} {sub.cover_year}年度集中参保",
        subject=f"submission:{sub.submission_id}",
        union_id=sub.union_id,
        district_id=sub.district_id,
        cover_year=sub.cover_year,
        filename=notice.filename,
        media_type=PDF,
        input_key=key,
        render=lambda: pdf.render_notice(notice),
    )
    row.notice_key = key


def withdraw_returned_notice(uow: UoW, row: SubmissionView) -> None:
    """A returned submission's notice is superseded at once (decision 0034): every version made for
    it is withdrawn with the district's reason; for a centralised one the union's notice is
    reissued from its latest submission still counted (without the returned one's people and
    money), or the latest earlier version counts again; documents.document.withdrawn tells the
    union. A district notice never includes it: enrollment refuses to return a submission in a
    batch (BATCH_LOCKED), so a return of one is a contradiction, dead-lettered."""
    if row.batch_id is not None:
        raise facts.MalformedEvent(f"submission {row.submission_id}: returned, but in batch {row.batch_no}")
    union = uow.session.get(UnionView, row.union_id)
    sequence = f"第 {row.sequence} 次" if row.sequence else ""
    what = "即时参保" if _mode(row) == "instant" else "集中参保"
    reason = f"区局退回{sequence}{what}提交：{row.return_reason or '未说明原因'}"
    withdrawn = withdraw(uow, f"submission:{row.submission_id}", reason)
    if _mode(row) != "instant":
        latest = queries.latest_counted_centralised(uow.session, row.union_id, row.cover_year)
        if latest is not None:
            render_submission_notice(uow, latest)
    name = union.name if union else f"基层工会 {row.union_id}"
    for doc in withdrawn:
        announce_withdrawn(uow, doc, f"{name} {row.cover_year}年度{what}")


def render_district_notice(uow: UoW, row: BatchView) -> None:
    """Render the district's notice for its batch — CB (集中参保) or JB (即时参保) — once both
    halves, the year's dates and the district's name are known."""
    if not (row.submitted and row.priced):
        return
    batch = facts.parse_batch(row.submitted)
    price = facts.parse_batch_price(row.priced)
    year = queries.cover_year(uow.session, batch.cover_year)
    district = uow.session.get(DistrictView, batch.district_id)
    if year is None or district is None:
        return
    notice = district_notice(district.name, year, batch, price, price.payee or settings.load().schema_1_payee)
    # one series per batch whatever its mode, so /district-notices/{batch_id}/file serves both
    store(
        uow,
        kind=notice.kind,
        series=f"{DISTRICT_NOTICE}:{batch.batch_id}",
        subject=f"batch:{batch.batch_id}",
        about=f"批次 {batch.batch_no}（{district.name}）",
        union_id=None,
        district_id=batch.district_id,
        cover_year=batch.cover_year,
        filename=notice.filename,
        media_type=PDF,
        input_key=notice.input_key(),
        render=lambda: pdf.render_notice(notice),
    )


# ------------------------------------------------------------------ downloads (scoped)


def grassroots_notice_file(uow: UoW, who: Identity, union_id: int, cover_year: int, version: int | None = None):
    return series_file(uow, who, f"{GRASSROOTS_NOTICE}:{union_id}:{cover_year}", version)


def instant_notice_file(uow: UoW, who: Identity, submission_id: int, version: int | None = None):
    return series_file(uow, who, f"{INSTANT_NOTICE}:{submission_id}", version)


def district_notice_file(uow: UoW, who: Identity, batch_id: int, version: int | None = None):
    return series_file(uow, who, f"{DISTRICT_NOTICE}:{batch_id}", version)
