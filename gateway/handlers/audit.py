"""操作日志: one record per request through the gateway (who, role, what, when, outcome)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from gateway import auth
from gateway.adapters.orm import AuditRecord


# Requests whose record says, in words, what was done to whom (personal information).
_REVEAL = re.compile(r"^POST /api/v1/members/members/(\d+)/id-number-reveals$")
# Changes of members' that look ID or card numbers up, bounded by its daily quota (decision 0021):
# syncs, lists, one member added or corrected, one card. Members answers 429 for nothing else.
_LOOKUP = re.compile(r"^(POST|PUT|PATCH) /api/v1/members/")
LOOKUP_REFUSED = "超出每日证件号码查询额度，未做任何处理"


def describe(action: str, status: int | None = None) -> str | None:
    """The record's detail: for a reveal of a full ID number, whose it was; for a change the ID
    lookup quota refused (429), that it was refused for that."""
    found = _REVEAL.match(action)
    if found:
        return f"查看完整证件号码：会员 {found.group(1)}"
    if status == 429 and _LOOKUP.match(action):
        return LOOKUP_REFUSED
    return None


def record(session, username, role, union_id, district_id, action: str, status: int, request_id: str,
           ip: str) -> None:
    """One audit record, on the request's own session after whatever it did was settled."""
    outcome = "ok" if status < 400 else ("refused" if status < 500 else "error")
    session.rollback()  # anything left uncommitted by a failed request is not audited as done
    session.add(AuditRecord(at=auth.utcnow(), username=username, role=role, union_id=union_id,
                            district_id=district_id, action=action[:300], status=status, outcome=outcome,
                            request_id=request_id, ip=ip[:64], detail=describe(action, status)))
    session.commit()


def list_audit(session, page: int, per_page: int, username: str | None = None) -> tuple[int, list[AuditRecord]]:
    """Newest first."""
    q = select(AuditRecord)
    if username:
        q = q.where(AuditRecord.username == username)
    total = session.scalar(select(func.count()).select_from(q.subquery()))
    items = session.scalars(q.order_by(AuditRecord.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return total, list(items)
