"""This year against last year (本年度与上年度对比): a union's centralised list against the covers
it enrolled the year before — again, new (why), gone (why) — on its 参保办理 page and workbook;
the same counts per union for its district (decision 0043)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from common import clock
from common.db import UoW
from common.errors import NotFound, ValidationFailed
from common.identity import Identity
from services.enrollment.adapters import queries, year_on_year_sql
from services.enrollment.adapters.eligibility_sql import eligible_members
from services.enrollment.adapters.orm import Cover, CoverYearRow, MemberMove, MemberView, UnionView
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain import year_on_year as yoy

CHUNK = 5000


def _union(uow: UoW, who: Identity, union_id: int | None) -> UnionView:
    if who.role == "grassroots":
        union_id = who.union_id
    elif union_id is None:
        raise ValidationFailed({"union_id": ["请指定基层工会"]})
    union = uow.session.get(UnionView, union_id)
    if union is None:
        raise NotFound()
    who.check_union(union.union_id, union.district_id)
    return union


def _covered(session, cover_year: int, member_ids=None, union_id: int | None = None) -> dict[int, int]:
    """member → the union that covered them in `cover_year` (pending or granted)."""
    query = select(Cover.member_id, Cover.union_id).where(
        Cover.cover_year == cover_year, Cover.status.in_(rules.ACTIVE_COVER_STATES)
    )
    if union_id is not None:
        return dict(session.execute(query.where(Cover.union_id == union_id)).all())
    found: dict[int, int] = {}
    ids = list(member_ids)
    for i in range(0, len(ids), CHUNK):
        found.update(session.execute(query.where(Cover.member_id.in_(ids[i : i + CHUNK]))).all())
    return found


def _rows(session, table, ids: list[int]) -> dict:
    found = {}
    for i in range(0, len(ids), CHUNK):
        for row in session.scalars(select(table).where(table.member_id.in_(ids[i : i + CHUNK]))):
            found[row.member_id] = row
    return found


def compare_union(uow: UoW, union_id: int, cover_year: int) -> dict:
    """Every member of the union's two years, each with its category and reason (no scope check)."""
    session = uow.session
    year = queries.load_year(session, cover_year)
    last_row = session.get(CoverYearRow, cover_year - 1)
    last_cutoff = last_row.card_cutoff if last_row else None
    last_here = _covered(session, cover_year - 1, union_id=union_id)
    this_here = _covered(session, cover_year, union_id=union_id)
    eligible = set(
        session.scalars(
            eligible_members(union_id, year, "centralised", None, clock.today()).with_only_columns(MemberView.member_id)
        )
    )
    this_year = eligible | set(this_here)
    ids = sorted(set(last_here) | this_year)
    members, moves = _rows(session, MemberView, ids), _rows(session, MemberMove, ids)
    new_ids = [m for m in this_year if m not in last_here]
    last_any = _covered(session, cover_year - 1, member_ids=new_ids)
    gone_ids = [m for m in last_here if m not in this_year]
    this_any = _covered(session, cover_year, member_ids=gone_ids)
    people = []
    for member_id in ids:
        m, move = members.get(member_id), moves.get(member_id)
        if m is None:  # a cover of a member enrollment no longer knows: gone, as left
            gone = {"category": yoy.GONE, "reason_code": "left", "reason": yoy.GONE_REASONS["left"]}
            people.append({"member_id": member_id, "name": "", "id_masked": "", **gone})
            continue
        person = yoy.PersonYears(
            union_id=m.union_id,
            status=m.status,
            removed=m.removed,
            card_number=m.card_number,
            card_issued_on=m.card_issued_on,
            covered_last_year_here=member_id in last_here,
            covered_last_year_elsewhere=last_any.get(member_id, union_id) != union_id,
            this_year_here=member_id in this_year,
            covered_this_year_elsewhere=this_any.get(member_id, union_id) != union_id,
            move=yoy.Move(move.kind, move.moved_on, move.reason) if move else None,
        )
        category, code, reason = yoy.compare(person, union_id, last_cutoff, year.card_cutoff)
        people.append(
            {
                "member_id": member_id,
                "name": m.name,
                "id_masked": m.id_masked,
                "category": category,
                "reason_code": code,
                "reason": reason,
            }
        )
    return {"cover_year": cover_year, "from_year": cover_year - 1, "union_id": union_id, "people": people}


def _summary(compared: dict) -> dict:
    counts = Counter(p["category"] for p in compared["people"])
    reasons: dict[str, Counter] = {yoy.NEW: Counter(), yoy.GONE: Counter()}
    for p in compared["people"]:
        if p["category"] in reasons:
            reasons[p["category"]][p["reason_code"]] += 1
    names = {yoy.NEW: yoy.NEW_REASONS, yoy.GONE: yoy.GONE_REASONS}
    last = counts[yoy.AGAIN] + counts[yoy.GONE]
    return {
        "last_year": last,
        "this_year": counts[yoy.AGAIN] + counts[yoy.NEW],
        "again": counts[yoy.AGAIN],
        "new": counts[yoy.NEW],
        "gone": counts[yoy.GONE],
        "change": counts[yoy.NEW] - counts[yoy.GONE],
        "reasons": {
            category: [{"code": code, "label": names[category][code], "count": n} for code, n in c.most_common()]
            for category, c in reasons.items()
        },
    }


def union_year_on_year(uow: UoW, who: Identity, cover_year: int, union_id: int | None = None) -> dict:
    """A union's year against last year: the counts, the reasons counted, and the people who are
    new or gone, each with the reason (the again are counted; the workbook lists them too)."""
    union = _union(uow, who, union_id)
    compared = compare_union(uow, union.union_id, cover_year)
    return {
        "cover_year": cover_year,
        "from_year": cover_year - 1,
        "union_id": union.union_id,
        "union_name": union.name,
        **_summary(compared),
        "people": [p for p in compared["people"] if p["category"] != yoy.AGAIN],
        "all_people": compared["people"],
    }


def district_year_on_year(
    uow: UoW, who: Identity, cover_year: int, district_id: int | None = None, page: int = 1, per_page: int = 50
) -> dict:
    """The same counts per union of a district (who shrank a lot is a question to ask), the most
    shrunk first, a page at a time: the counts of every union in set queries, the reasons compared
    member by member only for the unions of the page."""
    if who.role == "district":
        district_id = who.district_id
    elif district_id is None:
        raise ValidationFailed({"district_id": ["请指定区局（产业）工会"]})
    who.check_district(district_id)
    year = queries.load_year(uow.session, cover_year)
    counts = year_on_year_sql.district_counts(uow.session, district_id, year, clock.today())
    names = dict(
        uow.session.execute(
            select(UnionView.union_id, UnionView.name).where(UnionView.district_id == district_id)
        ).all()
    )
    order = sorted(counts, key=lambda u: (counts[u].change, names.get(u, ""), u))
    rows = []
    for union_id in order[(page - 1) * per_page : page * per_page]:
        c = counts[union_id]
        reasons = _summary(compare_union(uow, union_id, cover_year))["reasons"]
        rows.append(
            {
                "union_id": union_id,
                "union_name": names.get(union_id, ""),
                "last_year": c.last_year,
                "this_year": c.this_year,
                "again": c.again,
                "new": c.new,
                "gone": c.gone,
                "change": c.change,
                "reasons": reasons,
            }
        )
    return {
        "cover_year": cover_year,
        "from_year": cover_year - 1,
        "district_id": district_id,
        "total": len(order),
        "page": page,
        "per_page": per_page,
        "unions": rows,
    }
