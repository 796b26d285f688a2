"""District review (集中参保审核): return a submission, stage or unstage it, the to-submit list.

Seam (handlers/__init__.py): `cover_requests.follow_submissions` — a returned submission's
members' own requests (个人参保申请) go back to 已申请."""

from __future__ import annotations

from sqlalchemy import select, update

from common import clock
from common.db import UoW
from common.errors import Conflict, ValidationFailed
from common.identity import Identity
from services.enrollment import contracts
from services.enrollment.adapters.orm import Cover, CreditView, Submission, UnionView
from services.enrollment.adapters.queries import get_submission, load_year, submission_view
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain.totals import Totals
from services.enrollment.handlers.cover_requests import follow_submissions


def _review_action(mode: str) -> str:
    return "district_review" if mode == "centralised" else "instant"


def _locked_for_review(sub: Submission) -> None:
    if sub.batch_id is not None or sub.status in ("in_batch", "paid", "failed"):
        raise Conflict("该参保信息已提交至市职保中心，批次不能再修改", code="BATCH_LOCKED")


def return_submission(uow: UoW, who: Identity, submission_id: int, reason: str) -> Submission:
    """退回: the district sends a pending submission back with a reason; its members are free to be
    submitted again by the union."""
    who.require("district")
    session = uow.session
    sub = get_submission(uow, who, submission_id, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["请填写退回原因"]})
    _locked_for_review(sub)
    load_year(session, sub.cover_year).check_open(_review_action(sub.mode), clock.today())
    if sub.status != "submitted":
        raise Conflict(
            f"只能退回待审核的参保信息（当前状态：{rules.SUBMISSION_STATES[sub.status]}）",
            code="SUBMISSION_NOT_PENDING",
        )
    now = clock.utcnow_naive()
    sub.status, sub.return_reason, sub.returned_at, sub.updated_at = "returned", reason, now, now
    session.execute(update(Cover).where(Cover.submission_id == sub.id).values(status="returned"))
    uow.publish(contracts.SUBMISSION_RETURNED, contracts.returned_data(sub))
    follow_submissions(uow, "return", [sub.id])
    uow.commit()
    return sub


def stage_submission(uow: UoW, who: Identity, submission_id: int, staged: bool) -> Submission:
    """添加至待提交 / 移除: move a pending submission to the to-submit list or back."""
    who.require("district")
    session = uow.session
    sub = get_submission(uow, who, submission_id, lock=True)
    _locked_for_review(sub)
    load_year(session, sub.cover_year).check_open(_review_action(sub.mode), clock.today())
    before, after = ("submitted", "staged") if staged else ("staged", "submitted")
    if sub.status != before:
        raise Conflict(
            f"当前状态（{rules.SUBMISSION_STATES[sub.status]}）不能{'添加至待提交列表' if staged else '从待提交列表移除'}",
            code="SUBMISSION_STATE_CONFLICT",
        )
    sub.status, sub.updated_at = after, clock.utcnow_naive()
    uow.publish(
        contracts.SUBMISSION_STAGED if staged else contracts.SUBMISSION_UNSTAGED,
        {
            "submission_id": sub.id,
            "union_id": sub.union_id,
            "district_id": sub.district_id,
            "cover_year": sub.cover_year,
            "mode": sub.mode,
        },
    )
    uow.commit()
    return sub


def to_submit(uow: UoW, who: Identity, cover_year: int, mode: str = "centralised") -> dict:
    """待提交参保列表 and its totals, with the district's settlement credit available."""
    session = uow.session
    who.require("district")
    rules.check_mode(mode, "no_cover")
    load_year(session, cover_year)
    rows = session.execute(
        select(Submission, UnionView)
        .outerjoin(UnionView, UnionView.union_id == Submission.union_id)
        .where(
            Submission.district_id == who.district_id,
            Submission.cover_year == cover_year,
            Submission.mode == mode,
            Submission.status == "staged",
        )
        .order_by(Submission.id)
    ).all()
    items = [submission_view(sub, union) for sub, union in rows]
    total, complete = Totals(), True
    for item in items:
        if item["totals"] is None:
            complete = False
        else:
            total = total + Totals(**item["totals"])
    credit = session.get(CreditView, (who.district_id, cover_year))
    return {
        "cover_year": cover_year,
        "mode": mode,
        "items": items,
        "headcount": sum(i["headcount"] for i in items),
        "totals": total.as_dict() if complete else None,
        "prices_pending": not complete,
        "credit_available_fen": credit.available_fen if credit else None,
    }
