"""The statistics workbook (集中参保统计表): a district's centralised submissions of a year, by
grassroots union and cover type, from the read models as they are now.

Seam (handlers/__init__.py): `library.store`, `library.series_file` — the document store."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common.db import UoW
from common.errors import NotFound
from common.identity import Identity
from services.documents.adapters.orm import DistrictView, Document, SubmissionView, UnionView
from services.documents.adapters.workbooks import XLSX, statistics_workbook
from services.documents.adapters.workbooks import filename as workbook_filename
from services.documents.domain import facts
from services.documents.domain.statistics import STATISTICS, SubmissionLine, statistics
from services.documents.handlers.library import series_file, store


def statistics_file(uow: UoW, who: Identity, district_id: int, cover_year: int) -> Document:
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
        .where(
            SubmissionView.district_id == district_id,
            SubmissionView.cover_year == cover_year,
            SubmissionView.returned.is_(False),
            SubmissionView.submitted.is_not(None),
        )
        .order_by(SubmissionView.submission_id)
    ).all()
    lines = []
    for row, union_name, credit_code in rows:
        sub = facts.parse_submission(row.submitted)
        if sub.mode != "centralised":
            continue
        price = facts.parse_submission_price(row.priced).amounts if row.priced else None
        lines.append(
            SubmissionLine(
                union_id=sub.union_id,
                union_name=union_name or f"工会 {sub.union_id}",
                credit_code=credit_code or "",
                cover_type=sub.cover_type,
                headcount=sub.headcount,
                premium_fen=price.premium_fen if price else None,
                city_subsidy_fen=price.city_subsidy_fen if price else None,
                district_share_fen=price.district_share_fen if price else None,
                grassroots_share_fen=price.grassroots_share_fen if price else None,
                batch_no=row.batch_no,
                submitted_at=sub.submitted_at.isoformat(),
            )
        )
    stats = statistics(district_id, district.name, cover_year, lines)
    params = {
        "kind": STATISTICS,
        "series": f"{STATISTICS}:{district_id}:{cover_year}",
        "subject": f"district:{district_id}",
        "union_id": None,
        "district_id": district_id,
        "cover_year": cover_year,
        "filename": workbook_filename(stats),
        "media_type": XLSX,
        "input_key": stats.input_key(),
    }
    try:
        doc = store(uow, **params, render=lambda: statistics_workbook(stats))
        _ = doc.content
        uow.commit()
    except IntegrityError:
        # Two clerks asked at the same moment and the other stored this version first: that one is
        # the answer (it was made from the same facts, or newer ones).
        uow.rollback()
        doc = series_file(uow, who, params["series"])
    return doc
