"""本年度与上年度对比 counted per union for a whole district in set queries: one GROUP BY each for
last year's covers, this year's list and the members on both, whatever the number of unions or
members (the district's view pages on these counts; decision 0043, "bounded").

The counts are those of `handlers/year_on_year.compare_union` summed (tests hold them equal):
- last year: the union's covers of the year before, pending or granted;
- this year: the union's members eligible now (the eligibility rule's own SQL) plus the members
  the union has covered this year already (disjoint: the eligible have no cover this year);
- again: last year's covers whose member is on this year's list of the same union."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from services.enrollment.adapters.eligibility_sql import eligible_members
from services.enrollment.adapters.orm import Cover, MemberView, UnionView
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain.timeline import CoverYear


@dataclass(frozen=True)
class UnionCounts:
    last_year: int
    this_year: int
    again: int

    @property
    def new(self) -> int:
        return self.this_year - self.again

    @property
    def gone(self) -> int:
        return self.last_year - self.again

    @property
    def change(self) -> int:
        return self.this_year - self.last_year


def _in_district(column, district_id: int):
    return column.in_(select(UnionView.union_id).where(UnionView.district_id == district_id))


def _covers(cover_year: int, district_id: int):
    return select(Cover.union_id, func.count()).where(
        Cover.cover_year == cover_year,
        Cover.status.in_(rules.ACTIVE_COVER_STATES),
        _in_district(Cover.union_id, district_id),
    )


def district_counts(session, district_id: int, year: CoverYear, today: date) -> dict[int, UnionCounts]:
    """union → its counts, for every union of the district with a cover last year or anyone this year."""
    last = dict(session.execute(_covers(year.cover_year - 1, district_id).group_by(Cover.union_id)).all())
    covered_now = dict(session.execute(_covers(year.cover_year, district_id).group_by(Cover.union_id)).all())
    eligible = (
        eligible_members(None, year, "centralised", None, today)
        .with_only_columns(MemberView.member_id, MemberView.union_id)
        .where(_in_district(MemberView.union_id, district_id))
        .subquery()
    )
    eligible_now = dict(session.execute(select(eligible.c.union_id, func.count()).group_by(eligible.c.union_id)).all())
    then, now = aliased(Cover), aliased(Cover)
    on_this_year_list = or_(
        select(eligible.c.member_id)
        .where(eligible.c.member_id == then.member_id, eligible.c.union_id == then.union_id)
        .exists(),
        select(now.id)
        .where(
            now.member_id == then.member_id,
            now.union_id == then.union_id,
            now.cover_year == year.cover_year,
            now.status.in_(rules.ACTIVE_COVER_STATES),
        )
        .exists(),
    )
    again = dict(
        session.execute(
            select(then.union_id, func.count())
            .where(
                and_(
                    then.cover_year == year.cover_year - 1,
                    then.status.in_(rules.ACTIVE_COVER_STATES),
                    _in_district(then.union_id, district_id),
                    on_this_year_list,
                )
            )
            .group_by(then.union_id)
        ).all()
    )
    unions = set(last) | set(covered_now) | set(eligible_now)
    return {
        u: UnionCounts(last.get(u, 0), covered_now.get(u, 0) + eligible_now.get(u, 0), again.get(u, 0)) for u in unions
    }
