"""证件号码查询量 (issue 14 item 6, issue 23 item 2): the daily quota on every path that tells a
union whether an ID number or a card number is registered — 同步会员 (预检 included), 从其他工会转入,
批量导入会员, 新增会员 and the correction of a returned member's ID number (409/422 when it is
registered), the bank's card lists and one card (卡号已登记给其他会员) — and what the centre reads of it.

When rows count: when a lookup is accepted, whatever it then finds — a file refused for its error
rows has answered the oracle as much as one that is applied. A sync counts in the transaction
that records its job (so a sync refused as busy, 409, counts nothing); a transfer-in list in a
step of its own just before its comparison. A request the quota refuses looks nothing up and
counts only as a refusal. A file refused for its format (422 before any job) looks nothing up.
docs/decisions/0021-id-lookup-quota.md."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.errors import Throttled
from common.identity import Identity
from services.members import settings
from services.members.adapters import queries
from services.members.domain.lookup_quota import QUOTA_EXCEEDED


def count_lookups(uow: UoW, who: Identity, rows: int) -> None:
    """Count `rows` ID lookups of the caller's union against today's allowance, in the caller's
    unit of work: they are committed with whatever the caller commits next (the job that will
    look them up). Over the allowance, the refusal alone is committed — the caller's unit of work
    must hold nothing else yet — and Throttled (429, ID_LOOKUP_QUOTA_EXCEEDED) is raised."""
    session = uow.session
    today = clock.today()
    day = queries.locked_lookup_day(session, who.union_id, today)
    roster_size = queries.roster_size(session, who.union_id)
    decision = settings.load().lookup_quota.decide(today, roster_size, day.rows, rows)
    day.allowance, day.last_at = decision.allowance, clock.utcnow_naive()
    if not decision.allowed:
        day.refusals += 1
        day.refused_rows += rows
        uow.commit()
        raise Throttled(
            decision.message(),
            code=QUOTA_EXCEEDED,
            used=decision.used,
            asked=decision.asked,
            allowance=decision.allowance,
            resets_on=decision.resets_on.isoformat(),
        )
    day.rows += rows
    day.runs += 1


def count_lookups_now(uow: UoW, who: Identity, rows: int) -> None:
    """The same, committed at once in a step of its own (a job already running, or a request whose
    answer may be a refusal that rolls its own work back: the count stays). Only a union's lookups
    are counted: the centre's scope is the whole register."""
    if who.role != "grassroots":
        return
    with uow.fresh() as step:
        count_lookups(step, who, rows)
        step.commit()


def list_id_lookups(
    uow: UoW,
    who: Identity,
    day_from=None,
    day_to=None,
    union_id: int | None = None,
    refused: bool | None = None,
    page: int = 1,
    per_page: int = 50,
):
    """Per union per day: rows looked up, the allowance, refusals — newest day first, the busiest
    union first within a day. The centre's alone (操作日志)."""
    who.require("centre")
    total, rows = queries.lookup_day_page(uow.session, day_from, day_to, union_id, refused, page, per_page)
    items = [
        {
            "day": r.IdLookupDay.day,
            "union_id": r.IdLookupDay.union_id,
            "union_name": r.union_name,
            "district_id": r.district_id,
            "district_name": r.district_name,
            "rows": r.IdLookupDay.rows,
            "runs": r.IdLookupDay.runs,
            "allowance": r.IdLookupDay.allowance,
            "refusals": r.IdLookupDay.refusals,
            "refused_rows": r.IdLookupDay.refused_rows,
            "last_at": r.IdLookupDay.last_at,
        }
        for r in rows
    ]
    return total, items
