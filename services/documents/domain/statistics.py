"""The statistics workbook (集中参保统计表) of a district and cover year: one line per grassroots
union and cover type, from the submissions enrollment and billing told us about. Pure, no I/O."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from services.documents.domain.facts import COVER_TYPES

STATISTICS = "statistics"  # 集中参保统计表


@dataclass(frozen=True)
class SubmissionLine:
    """One valid (not returned) centralised submission, as the read model holds it."""

    union_id: int
    union_name: str
    credit_code: str
    cover_type: str
    headcount: int
    premium_fen: int | None  # None until billing has priced it
    city_subsidy_fen: int | None
    district_share_fen: int | None
    grassroots_share_fen: int | None
    batch_no: str | None
    submitted_at: str


@dataclass(frozen=True)
class UnionTypeLine:
    union_id: int
    union_name: str
    credit_code: str
    cover_type: str
    submissions: int
    headcount: int
    premium_fen: int
    city_subsidy_fen: int
    district_share_fen: int
    grassroots_share_fen: int
    unpriced: int  # submissions billing has not priced yet (their money is not in the sums)
    batch_nos: tuple[str, ...]
    pending: int  # submissions not yet in a batch submitted to the centre
    last_submitted_at: str

    @property
    def status(self) -> str:
        if self.pending == 0:
            return "已提交市职保中心"
        if self.pending == self.submissions:
            return "区局审核中"
        return "部分已提交市职保中心"


@dataclass(frozen=True)
class Statistics:
    district_id: int
    district_name: str
    cover_year: int
    lines: tuple[UnionTypeLine, ...]

    def total(self, field: str) -> int:
        return sum(getattr(line, field) for line in self.lines)

    def input_key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def statistics(district_id: int, district_name: str, cover_year: int, submissions: list[SubmissionLine]) -> Statistics:
    groups: dict[tuple[int, str], list[SubmissionLine]] = {}
    for sub in submissions:
        groups.setdefault((sub.union_id, sub.cover_type), []).append(sub)
    lines = []
    for (union_id, cover_type), subs in groups.items():
        priced = [s for s in subs if s.premium_fen is not None]
        lines.append(
            UnionTypeLine(
                union_id=union_id,
                union_name=subs[-1].union_name,
                credit_code=subs[-1].credit_code,
                cover_type=cover_type,
                submissions=len(subs),
                headcount=sum(s.headcount for s in subs),
                premium_fen=sum(s.premium_fen or 0 for s in priced),
                city_subsidy_fen=sum(s.city_subsidy_fen or 0 for s in priced),
                district_share_fen=sum(s.district_share_fen or 0 for s in priced),
                grassroots_share_fen=sum(s.grassroots_share_fen or 0 for s in priced),
                unpriced=len(subs) - len(priced),
                batch_nos=tuple(sorted({s.batch_no for s in subs if s.batch_no})),
                pending=sum(1 for s in subs if not s.batch_no),
                last_submitted_at=max(s.submitted_at for s in subs),
            )
        )
    lines.sort(key=lambda x: (x.union_name, x.union_id, COVER_TYPES.index(x.cover_type)))
    return Statistics(district_id, district_name, cover_year, tuple(lines))
