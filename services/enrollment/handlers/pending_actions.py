"""Who has not acted before a deadline of the cover year (for the reminders of the notifications
service, and the centre's view of them): set-based, one query per deadline.

- `grassroots_end`: grassroots unions with members eligible for centralised cover and no
  centralised submission of the year (returned ones do not count);
- `district_submit_end`: districts with centralised submissions still waiting for review or
  staged, not yet submitted to the centre;
- `payment_deadline`: districts with centralised batches neither written off nor failed that
  still owe money."""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from common import clock
from common.db import UoW
from common.errors import ValidationFailed
from common.identity import Identity
from services.enrollment.adapters.eligibility_sql import eligible_members
from services.enrollment.adapters.orm import Batch, DistrictView, Submission, UnionView
from services.enrollment.adapters.queries import load_year

DEADLINES = ("grassroots_end", "district_submit_end", "payment_deadline")


def not_acted(uow: UoW, who: Identity, cover_year: int, deadline: str, named: int = 0) -> dict:
    """{"deadline", "audience", "ids"} and, with `named`, the names of the first `named` of them."""
    out = _not_acted(uow, who, cover_year, deadline)
    first = out["ids"][:named]
    if first:
        view, key = (
            (UnionView, UnionView.union_id) if out["audience"] == "union" else (DistrictView, DistrictView.district_id)
        )
        names = dict(uow.session.execute(select(key, view.name).where(key.in_(first))).all())
        out["named"] = [{"id": i, "name": names.get(i)} for i in first]
    return out


def _not_acted(uow: UoW, who: Identity, cover_year: int, deadline: str) -> dict:
    who.require("centre")
    if deadline not in DEADLINES:
        raise ValidationFailed({"deadline": ["取值须为以下之一：" + "、".join(DEADLINES)]})
    session = uow.session
    year = load_year(session, cover_year)
    if deadline == "grassroots_end":
        eligible = eligible_members(None, year, "centralised", None, clock.today()).subquery()
        submitted = exists().where(
            Submission.union_id == eligible.c.union_id,
            Submission.cover_year == cover_year,
            Submission.mode == "centralised",
            Submission.status != "returned",
        )
        ids = session.scalars(select(eligible.c.union_id).distinct().where(~submitted).order_by(eligible.c.union_id))
        return {"deadline": deadline, "audience": "union", "ids": list(ids)}
    if deadline == "district_submit_end":
        ids = session.scalars(
            select(Submission.district_id)
            .distinct()
            .where(
                Submission.cover_year == cover_year,
                Submission.mode == "centralised",
                Submission.status.in_(("submitted", "staged")),
            )
            .order_by(Submission.district_id)
        )
        return {"deadline": deadline, "audience": "district", "ids": list(ids)}
    ids = session.scalars(
        select(Batch.district_id)
        .distinct()
        .where(
            Batch.cover_year == cover_year,
            Batch.mode == "centralised",
            Batch.status.not_in(("written_off", "failed")),
            or_(Batch.due_fen.is_(None), Batch.due_fen > 0),
        )
        .order_by(Batch.district_id)
    )
    return {"deadline": deadline, "audience": "district", "ids": list(ids)}
