"""Use cases of the documents service: consumed events and commands, each given a unit of work."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict
from functools import wraps

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.bus import PermanentFailure
from common.errors import NotFound
from common.identity import Identity
from common.readmodel import upsert_if_newer
from services.documents import contracts, settings
from services.documents.adapters import pdf, workbooks
from services.documents.adapters.orm import (BatchView, CoverYearView, DistrictView, Document, SubmissionView,
                                             UnionView)
from services.documents.domain import facts
from services.documents.domain.facts import MalformedEvent
from services.documents.domain.notices import (DISTRICT_NOTICE, GRASSROOTS_NOTICE, district_notice,
                                               grassroots_notice)
from services.documents.domain.statistics import STATISTICS, SubmissionLine, statistics

log = logging.getLogger("documents")
PDF = "application/pdf"


def consumes(func_):
    """A consumed event whose data breaks the contract can never succeed: dead-letter it with the
    reason (the consumer logs it), and nothing of it is written (the transaction rolls back)."""
    @wraps(func_)
    def wrapper(uow, event: dict) -> None:
        try:
            func_(uow, event)
        except MalformedEvent as exc:
            raise PermanentFailure(f"{event.get('type')} {event.get('id')}: {exc}") from exc
    return wrapper


# ------------------------------------------------------------------ directory read model


@consumes
def keep_district(uow, event: dict) -> None:
    """DistrictViewWhenDistrictRegistered/Updated; then any batch notice that waited for its name."""
    d = event["data"]
    upsert_if_newer(uow.session, DistrictView, {"district_id": d["district_id"]},
                    {k: d[k] for k in ("name", "kind", "special_industry", "version")})
    for batch in uow.session.scalars(select(BatchView).where(BatchView.district_id == d["district_id"])):
        _render_district_notice(uow, batch)


@consumes
def keep_union(uow, event: dict) -> None:
    """UnionViewWhenUnionRegistered/Updated (renames, contact changes, moves); then any notice that
    waited for the union's name."""
    d = event["data"]
    upsert_if_newer(uow.session, UnionView, {"union_id": d["union_id"]},
                    {k: d[k] for k in ("name", "credit_code", "district_id", "contact_person", "phone", "version")})
    for row in uow.session.scalars(select(SubmissionView).where(SubmissionView.union_id == d["union_id"],
                                                                SubmissionView.notice_key.is_(None))):
        _render_grassroots_notice(uow, row)


# ------------------------------------------------------------------ enrollment and billing facts


@consumes
def keep_cover_year(uow, event: dict) -> None:
    """CoverYearViewWhenCoverYearConfigured; then the notices that waited for the year's dates."""
    year = facts.parse_cover_year(event["data"])
    values = asdict(year)
    key = {"cover_year": values.pop("cover_year")}
    if not upsert_if_newer(uow.session, CoverYearView, key, values):
        return
    for row in uow.session.scalars(select(SubmissionView).where(SubmissionView.cover_year == year.cover_year,
                                                                SubmissionView.notice_key.is_(None))):
        _render_grassroots_notice(uow, row)
    for batch in uow.session.scalars(select(BatchView).where(BatchView.cover_year == year.cover_year)):
        _render_district_notice(uow, batch)


def _submission_row(uow, submission_id: int, union_id: int, district_id: int, cover_year: int,
                    cover_type: str) -> SubmissionView:
    row = uow.session.get(SubmissionView, submission_id, with_for_update=True)
    if row is None:
        row = SubmissionView(submission_id=submission_id, union_id=union_id, district_id=district_id,
                             cover_year=cover_year, cover_type=cover_type, returned=False)
        uow.session.add(row)
    return row


@consumes
def notice_when_submission_submitted(uow, event: dict) -> None:
    """GrassrootsNoticeWhenSubmissionSubmitted (enrollment.submission.submitted)."""
    sub = facts.parse_submission(event["data"])
    row = _submission_row(uow, sub.submission_id, sub.union_id, sub.district_id, sub.cover_year, sub.cover_type)
    row.submitted, row.sequence, row.returned = event["data"], sub.sequence, False
    if row.priced:
        facts.check_same_submission(sub, facts.parse_submission_price(row.priced))
    uow.session.flush()
    _render_grassroots_notice(uow, row)


@consumes
def notice_when_submission_priced(uow, event: dict) -> None:
    """GrassrootsNoticeWhenSubmissionPriced (billing.submission.priced)."""
    price = facts.parse_submission_price(event["data"])
    row = _submission_row(uow, price.submission_id, price.union_id, price.district_id, price.cover_year,
                          price.cover_type)
    row.priced, row.grassroots_owes_fen = event["data"], price.grassroots_owes_fen
    if row.submitted:
        facts.check_same_submission(facts.parse_submission(row.submitted), price)
    uow.session.flush()
    _render_grassroots_notice(uow, row)


@consumes
def forget_returned_submission(uow, event: dict) -> None:
    """SubmissionReturnedWhenSubmissionReturned: a returned submission no longer counts towards what
    the union owes; its notice versions stay downloadable."""
    row = uow.session.get(SubmissionView, facts.parse_returned(event["data"]))
    if row is not None:
        row.returned = True


def _batch_row(uow, batch_id: int, district_id: int, cover_year: int, batch_no: str) -> BatchView:
    row = uow.session.get(BatchView, batch_id, with_for_update=True)
    if row is None:
        row = BatchView(batch_id=batch_id, district_id=district_id, cover_year=cover_year, batch_no=batch_no)
        uow.session.add(row)
    return row


@consumes
def notice_when_batch_submitted(uow, event: dict) -> None:
    """DistrictNoticeWhenBatchSubmitted (enrollment.batch.submitted)."""
    batch = facts.parse_batch(event["data"])
    row = _batch_row(uow, batch.batch_id, batch.district_id, batch.cover_year, batch.batch_no)
    row.submitted = event["data"]
    if row.priced:
        facts.check_same_batch(batch, facts.parse_batch_price(row.priced))
    for sub in uow.session.scalars(select(SubmissionView).where(
            SubmissionView.submission_id.in_(batch.submission_ids))):
        sub.batch_id, sub.batch_no = batch.batch_id, batch.batch_no
    uow.session.flush()
    _render_district_notice(uow, row)


@consumes
def notice_when_batch_priced(uow, event: dict) -> None:
    """DistrictNoticeWhenBatchPriced (billing.batch.priced)."""
    price = facts.parse_batch_price(event["data"])
    row = _batch_row(uow, price.batch_id, price.district_id, price.cover_year, price.batch_no)
    row.priced = event["data"]
    if row.submitted:
        facts.check_same_batch(facts.parse_batch(row.submitted), price)
    uow.session.flush()
    _render_district_notice(uow, row)


# ------------------------------------------------------------------ rendering


def _cover_year(session, cover_year: int) -> facts.CoverYear | None:
    view = session.get(CoverYearView, cover_year)
    if view is None:
        return None
    return facts.CoverYear(cover_year=view.cover_year, grassroots_deadline=view.grassroots_deadline,
                           cover_start=view.cover_start, cover_end=view.cover_end,
                           payment_deadline=view.payment_deadline, version=view.version)


def _render_grassroots_notice(uow, row: SubmissionView) -> None:
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


def _render_district_notice(uow, row: BatchView) -> None:
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


def store(uow, *, kind: str, series: str, subject: str, union_id: int | None, district_id: int | None,
          cover_year: int, filename: str, media_type: str, input_key: str, render) -> Document:
    """Store a new version of a document, rendered once, unless the latest version was made from
    the same input (then that one is the answer). Publishes documents.document.ready."""
    latest = uow.session.scalar(select(Document).where(Document.series == series)
                                .order_by(Document.version.desc()).limit(1))
    if latest is not None and latest.input_key == input_key:
        return latest
    content = render()
    doc = Document(kind=kind, series=series, version=(latest.version + 1) if latest else 1, subject=subject,
                   union_id=union_id, district_id=district_id, cover_year=cover_year, filename=filename,
                   media_type=media_type, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                   input_key=input_key, created_at=clock.utcnow_naive(), content=content)
    uow.session.add(doc)
    uow.session.flush()
    uow.publish(contracts.DOCUMENT_READY, contracts.document_data(doc))
    log.info("document stored", extra={"kind": kind, "series": series, "version": doc.version, "sha256": doc.sha256})
    return doc


# ------------------------------------------------------------------ queries (scoped)


def check_scope(who: Identity, doc: Document) -> None:
    """Outside the caller's scope answers exactly like a missing document."""
    if doc.union_id is not None:
        who.check_union(doc.union_id, doc.district_id)
    elif doc.district_id is not None:
        who.check_district(doc.district_id)
    else:
        who.require("centre")


def _scoped(query, who: Identity):
    if who.role == "district":
        return query.where(Document.district_id == who.district_id)
    if who.role == "grassroots":
        return query.where(Document.union_id == who.union_id)
    return query


def list_documents(session, who: Identity, kind: str | None = None, union_id: int | None = None,
                   district_id: int | None = None, cover_year: int | None = None, all_versions: bool = False,
                   page: int = 1, per_page: int = 50):
    """Documents in the caller's scope, newest first; by default only the latest version of each."""
    query = _scoped(select(Document), who)
    if not all_versions:
        latest = select(Document.series, func.max(Document.version).label("v")).group_by(Document.series).subquery()
        query = query.join(latest, (Document.series == latest.c.series) & (Document.version == latest.c.v))
    for column, value in ((Document.kind, kind), (Document.union_id, union_id),
                          (Document.district_id, district_id), (Document.cover_year, cover_year)):
        if value is not None:
            query = query.where(column == value)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(session.scalars(query.order_by(Document.created_at.desc(), Document.id.desc())
                                 .offset((page - 1) * per_page).limit(per_page)))
    return total, items


def get_document(session, who: Identity, document_id: int) -> tuple[Document, list[Document]]:
    """One version and the list of every version of its series."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound()
    check_scope(who, doc)
    versions = list(session.scalars(select(Document).where(Document.series == doc.series)
                                    .order_by(Document.version)))
    return doc, versions


def document_file(session, who: Identity, document_id: int) -> Document:
    doc, _ = get_document(session, who, document_id)
    _ = doc.content  # load the deferred bytes inside the session
    return doc


def series_file(session, who: Identity, series: str, version: int | None = None) -> Document:
    """The latest version of a series, or the version asked for (404 if it does not exist)."""
    query = select(Document).where(Document.series == series)
    query = query.where(Document.version == version) if version else query.order_by(Document.version.desc()).limit(1)
    doc = session.scalar(query)
    if doc is None:
        raise NotFound()  # the same answer as outside the caller's scope
    check_scope(who, doc)
    _ = doc.content
    return doc


def grassroots_notice_file(session, who: Identity, union_id: int, cover_year: int, version: int | None = None):
    return series_file(session, who, f"{GRASSROOTS_NOTICE}:{union_id}:{cover_year}", version)


def district_notice_file(session, who: Identity, batch_id: int, version: int | None = None):
    return series_file(session, who, f"{DISTRICT_NOTICE}:{batch_id}", version)


# ------------------------------------------------------------------ statistics workbook (集中参保统计表)


def statistics_file(uow, who: Identity, district_id: int, cover_year: int) -> Document:
    """The district's statistics workbook for the year, from the read models as they are now.
    Stored like any document: while nothing changed, every download is the same bytes; when the
    facts changed, a new version is made."""
    who.require("centre", "district")
    who.check_district(district_id)
    session = uow.session
    district = session.get(DistrictView, district_id)
    if district is None:
        raise NotFound()
    rows = session.execute(
        select(SubmissionView, UnionView.name, UnionView.credit_code)
        .join(UnionView, UnionView.union_id == SubmissionView.union_id, isouter=True)
        .where(SubmissionView.district_id == district_id, SubmissionView.cover_year == cover_year,
               SubmissionView.returned.is_(False), SubmissionView.submitted.is_not(None))
        .order_by(SubmissionView.submission_id)).all()
    lines = []
    for row, union_name, credit_code in rows:
        sub = facts.parse_submission(row.submitted)
        if sub.mode != "centralised":
            continue
        price = facts.parse_submission_price(row.priced).amounts if row.priced else None
        lines.append(SubmissionLine(
            union_id=sub.union_id, union_name=union_name or f"工会 {sub.union_id}", credit_code=credit_code or "",
            cover_type=sub.cover_type, headcount=sub.headcount,
            premium_fen=price.premium_fen if price else None, city_subsidy_fen=price.city_subsidy_fen if price else None,
            district_share_fen=price.district_share_fen if price else None,
            grassroots_share_fen=price.grassroots_share_fen if price else None, batch_no=row.batch_no,
            submitted_at=sub.submitted_at.isoformat()))
    stats = statistics(district_id, district.name, cover_year, lines)
    params = dict(kind=STATISTICS, series=f"{STATISTICS}:{district_id}:{cover_year}", subject=f"district:{district_id}",
                  union_id=None, district_id=district_id, cover_year=cover_year, filename=workbooks.filename(stats),
                  media_type=workbooks.XLSX, input_key=stats.input_key())
    try:
        doc = store(uow, **params, render=lambda: workbooks.statistics_workbook(stats))
        _ = doc.content
        uow.commit()
    except IntegrityError:
        # Two clerks asked at the same moment and the other stored this version first: that one is
        # the answer (it was made from the same facts, or newer ones).
        uow.rollback()
        doc = series_file(session, who, params["series"])
    return doc
