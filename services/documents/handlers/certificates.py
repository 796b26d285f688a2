"""参保凭证: the covers documents keeps from enrollment's events, a certificate issued for one
member's cover of one year (a PDF with a verification code and its QR code), and the public
verification of a code: is that certificate valid today (docs/decisions/0042-cover-certificates.md).

Enrollment tells who a submission covers (enrollment.covers.recorded, in parts) and what became of
them (enrollment.submission.returned; enrollment.cover.granted / .failed for a batch's
submissions); documents never reads enrollment's database. A certificate follows its cover: the
day its submission is returned or its batch fails, every certificate of it answers revoked."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from common import clock, facts
from common.db import UoW
from common.errors import Conflict, NotFound
from common.facts import MalformedEvent, consumes
from common.identity import Identity
from services.documents import settings
from services.documents.adapters import cover_rows, pdf
from services.documents.adapters.orm import Certificate, CoverOutcomeView, CoverView, UnionView
from services.documents.domain import certificates as rules
from services.documents.domain.facts import COVER_TYPES, MODES
from services.documents.domain.notices import SIGNATORIES

NOT_FOUND = "未查到该会员该年度的参保信息"


# ------------------------------------------------------------------ enrollment's facts


@consumes
def record_covers_when_recorded(uow: UoW, event: dict) -> None:
    """Keep one part of the people a submission covers (enrollment.covers.recorded); a part seen
    before changes nothing."""
    d = event["data"]
    submission = {
        "submission_id": facts.integer(d, "submission_id", 1),
        "union_id": facts.integer(d, "union_id", 1),
        "district_id": facts.integer(d, "district_id", 1),
        "cover_year": facts.integer(d, "cover_year", 2000),
        "cover_type": facts.choice(d, "type", COVER_TYPES),
        "mode": facts.choice(d, "mode", MODES),
    }
    covers = facts.field(d, "covers")
    if not isinstance(covers, list):
        raise MalformedEvent("covers: not a list")
    rows = []
    for i, c in enumerate(covers):
        if not isinstance(c, dict):
            raise MalformedEvent(f"covers[{i}]: not an object")
        start, end = facts.day(c, "cover_start"), facts.day(c, "cover_end")
        if end < start:
            raise MalformedEvent(f"covers[{i}].cover_end: before cover_start")
        name = facts.text(c, "name")
        rows.append(
            {
                **submission,
                "member_id": facts.integer(c, "member_id", 1),
                "name": name[:100],
                "cover_start": start,
                "cover_end": end,
            }
        )
    cover_rows.insert_covers(uow.session, rows)


def _record_outcome(uow: UoW, submission_id: int, outcome: str, batch_no: str | None = None) -> None:
    """A submission's outcome; a final one (failed, returned) is never undone."""
    row = uow.session.get(CoverOutcomeView, submission_id, with_for_update=True)
    if row is None:
        uow.session.add(
            CoverOutcomeView(
                submission_id=submission_id, outcome=outcome, batch_no=batch_no, recorded_at=clock.utcnow_naive()
            )
        )
    elif row.outcome == rules.GRANTED and outcome != rules.GRANTED:
        row.outcome, row.recorded_at = outcome, clock.utcnow_naive()


def _batch_outcome(uow: UoW, event: dict, outcome: str) -> None:
    d = event["data"]
    ids = facts.field(d, "submission_ids")
    if not isinstance(ids, list):
        raise MalformedEvent("submission_ids: not a list")
    batch_no = facts.text(d, "batch_no")
    for value in ids:
        _record_outcome(uow, facts.integer({"submission_id": value}, "submission_id", 1), outcome, batch_no)


@consumes
def grant_covers_when_cover_granted(uow: UoW, event: dict) -> None:
    """A batch written off (enrollment.cover.granted): its submissions' covers are granted."""
    _batch_outcome(uow, event, rules.GRANTED)


@consumes
def revoke_covers_when_cover_failed(uow: UoW, event: dict) -> None:
    """A batch failed, unpaid at its deadline (enrollment.cover.failed): its certificates are void."""
    _batch_outcome(uow, event, rules.FAILED)


@consumes
def revoke_covers_when_submission_returned(uow: UoW, event: dict) -> None:
    """A submission returned (enrollment.submission.returned): its people were never covered by it."""
    _record_outcome(uow, facts.integer(event["data"], "submission_id", 1), rules.RETURNED)


# ------------------------------------------------------------------ issuing


def _outcome(session, submission_id: int) -> str:
    row = session.get(CoverOutcomeView, submission_id)
    return row.outcome if row is not None else rules.PENDING


def _in_scope(who: Identity, cover: CoverView, member_id: int, member_of: int | None) -> bool:
    if who.role == "centre":
        return True
    if who.role == "district":
        return cover.district_id == who.district_id
    if who.role == "grassroots":
        return cover.union_id == who.union_id
    # the member themself: `member_of` is the member id the caller's identity carries (the
    # gateway's /me route passes it; decision 0042), never one the request names
    return member_of is not None and member_of == member_id


def issue(uow: UoW, who: Identity, member_id: int, cover_year: int, member_of: int | None = None):
    """A new 参保凭证 for the member's cover of the year, in the caller's scope: (pdf bytes,
    filename). The cover it certifies is the member's latest one of the year that holds (not
    failed, not returned); none in scope: 404; only failed or returned ones: 409."""
    session = uow.session
    covers = [
        c
        for c in session.scalars(
            select(CoverView)
            .where(CoverView.member_id == member_id, CoverView.cover_year == cover_year)
            .order_by(CoverView.submission_id.desc())
        )
        if _in_scope(who, c, member_id, member_of)
    ]
    if not covers:
        raise NotFound(NOT_FOUND, code="COVER_NOT_FOUND")
    holding = [c for c in covers if rules.may_issue(_outcome(session, c.submission_id))]
    if not holding:
        state = rules.standing(
            _outcome(session, covers[0].submission_id), covers[0].cover_start, covers[0].cover_end, clock.today()
        )
        raise Conflict(f"该会员{cover_year}年度的参保{state.state}，不能出具参保凭证", code="COVER_NOT_HELD")
    cover = holding[0]
    code = rules.new_code()
    config = settings.load()
    union = session.get(UnionView, cover.union_id)
    printed = rules.Printed(
        name=cover.name,
        union_name=union.name if union is not None else "",
        cover_year=cover.cover_year,
        cover_type=cover.cover_type,
        mode=cover.mode,
        cover_start=cover.cover_start,
        cover_end=cover.cover_end,
        code=code,
        url=rules.verify_url(config.public_base_url, code),
        issued_on=clock.today(),
        issuer=SIGNATORIES[-1],
    )
    content = pdf.render_certificate(printed)
    session.add(
        Certificate(
            code_hash=rules.code_hash(code),
            member_id=member_id,
            cover_year=cover.cover_year,
            submission_id=cover.submission_id,
            union_id=cover.union_id,
            district_id=cover.district_id,
            issued_at=clock.utcnow_naive(),
            issued_by=who.user[:100],
            issued_role=who.role[:20],
        )
    )
    uow.commit()
    return content, rules.filename(cover.cover_year, cover.name)


# ------------------------------------------------------------------ verifying


def verify(uow: UoW, code: str, today: date | None = None) -> dict:
    """What the public page says of a code: `found` false for an unknown (or malformed) code, else
    the masked name, the year, the type in words, the dates and the state today. Each answer
    counts on the certificate (how often and when it was last checked)."""
    normalised = rules.normalise(code)
    certificate = None
    if normalised is not None:
        certificate = uow.session.scalar(
            select(Certificate).where(Certificate.code_hash == rules.code_hash(normalised)).with_for_update()
        )
    if certificate is None:
        return {"found": False, "message": "未查到该核验码对应的参保凭证，请核对核验码。"}
    cover = uow.session.get(CoverView, (certificate.submission_id, certificate.member_id))
    if cover is None:  # a certificate is only issued for a cover kept here
        raise NotFound()
    standing = rules.standing(
        _outcome(uow.session, cover.submission_id), cover.cover_start, cover.cover_end, today or clock.today()
    )
    certificate.verified_count += 1
    certificate.last_verified_at = clock.utcnow_naive()
    uow.commit()
    return {
        "found": True,
        "name": rules.mask_name(cover.name),
        "cover_year": cover.cover_year,
        "type_name": rules.type_name(cover.cover_type),
        "type_pays": rules.type_pays(cover.cover_type),
        "mode_name": rules.MODE_NAMES.get(cover.mode, cover.mode),
        "cover_start": cover.cover_start,
        "cover_end": cover.cover_end,
        "state": standing.state,
        "valid": standing.valid,
        "revoked": standing.revoked,
        "message": standing.message,
        "code_hint": rules.code_hint(normalised or ""),
    }
