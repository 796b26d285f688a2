"""操作日志: one record per request through the gateway (who, role, what, when, outcome), kept with
its method, path and status for operators and read in words (gateway/domain/audit_words.py)."""

from __future__ import annotations

import re

from common.db import UoW
from common.identity import Identity
from gateway import auth
from gateway.adapters import queries
from gateway.adapters.orm import AuditRecord
from gateway.domain import audit_words

# Changes of members' that look ID or card numbers up, bounded by its daily quota (decision 0021):
# syncs, lists, one member added or corrected, one card. Members answers 429 for nothing else.
_LOOKUP = re.compile(r"^(POST|PUT|PATCH) /api/v1/members/")
LOOKUP_REFUSED = "超出每日证件号码查询额度，未做任何处理"


def describe(action: str, status: int | None = None) -> str | None:
    """The record's detail: for a change the ID lookup quota refused (429), that it was refused
    for that (whose number a reveal showed is the record's subject, said by members)."""
    if status == 429 and _LOOKUP.match(action):
        return LOOKUP_REFUSED
    return None


def record(
    uow: UoW,
    username,
    role,
    union_id,
    district_id,
    action: str,
    status: int,
    request_id: str,
    ip: str,
    subject: str | None = None,
    reason: str | None = None,
) -> None:
    """One audit record, in a transaction of its own after whatever the request did was settled
    (the request's own work, committed or rolled back, is not this record's)."""
    outcome = "ok" if status < 400 else ("refused" if status < 500 else "error")
    uow.session.add(
        AuditRecord(
            at=auth.utcnow(),
            username=username,
            role=role,
            union_id=union_id,
            district_id=district_id,
            action=action[:300],
            status=status,
            outcome=outcome,
            request_id=request_id,
            ip=ip[:64],
            detail=describe(action, status),
            subject=(subject or None) and subject[:300],
            reason=(reason or None) and reason[:300],
        )
    )
    uow.commit()


def in_words(row: AuditRecord, scope_names: dict[tuple[str, int], str]) -> dict:
    """A record as people read it: who (account and its union or district), did what to what, and
    the outcome in Chinese. `scope_names` maps ("union"|"district", id) to a name."""
    method, _, path = row.action.partition(" ")
    scope = (
        ("union", row.union_id)
        if row.union_id is not None
        else ("district", row.district_id)
        if row.district_id is not None
        else None
    )
    actor = audit_words.actor_words(row.username, row.role, scope_names.get(scope) if scope else None)
    what = audit_words.what_words(audit_words.action_words(method, path), row.subject)
    reason = row.detail if row.detail == LOOKUP_REFUSED else row.reason
    result = audit_words.outcome_words(row.status, reason)
    return {"actor": actor, "what": what, "result": result, "summary": audit_words.sentence(actor, what, result)}


def list_audit(
    uow: UoW, who: Identity, page: int, per_page: int, username: str | None = None
) -> tuple[int, list[AuditRecord]]:
    """操作日志, newest first, one page and the count of all (of one account's if named)."""
    return queries.audit_page(uow.session, page, per_page, username)
