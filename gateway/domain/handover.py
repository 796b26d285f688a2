"""代办员变更 (handover) with no I/O: who may name a union's new clerk, the clerk terms a union's
history shows, and the words the old clerk is refused with (docs/decisions/0040-clerk-handover.md).

A union's clerk is its grassroots account (active, or awaiting activation). A handover makes the
new clerk's account inactive with an activation link, and disables every account the union had
as clerk, ending all their sessions at once. Each handover is kept as an append-only row; the
terms (who was clerk from when to when, who named and who replaced them) are read from those
rows and the union's accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

NOT_YOURS = "只能变更本会的代办员"
NOT_YOUR_DISTRICT = "只能变更本区局所属基层工会的代办员"
SAME_USERNAME = "新代办员须使用新的用户名"


def refusal(
    role: str, own_union_id: int | None, own_district_id: int | None, union_id: int, union_district_id: int
) -> str | None:
    """Why this caller may not hand over this union's clerk, or None: the union's own clerk, or
    the district the union belongs to (the centre manages accounts in 账号管理)."""
    if role == "grassroots":
        return None if own_union_id == union_id else NOT_YOURS
    if role == "district":
        return None if own_district_id == union_district_id else NOT_YOUR_DISTRICT
    return NOT_YOUR_DISTRICT


def may_read(
    role: str, own_union_id: int | None, own_district_id: int | None, union_id: int, union_district_id: int
) -> bool:
    """Who may read a union's clerk history: the union, its district, the centre."""
    return role == "centre" or refusal(role, own_union_id, own_district_id, union_id, union_district_id) is None


def mask_mobile(mobile: str) -> str:
    """What the history keeps of the new clerk's mobile (the gateway holds no PII keys, so no clear
    or sealed copy): 139****0002; a landline keeps its last four."""
    digits = "".join(c for c in mobile if c.isdigit())
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" + digits[-4:] if len(digits) >= 4 else "****"


def handed_over_message(at: str, by: str) -> str:
    """What the old clerk is told on logging in with the right password (and on a request with a
    token that ended with it)."""
    return f"本账号已于 {at} 因代办员变更（{by}办理）停用，不能再登录或办理业务；如有疑问请联系所属区局"


@dataclass(frozen=True)
class Clerk:
    """An account as one of a union's clerks."""

    account_id: int
    username: str
    display_name: str
    since: datetime  # when it became clerk: made, or named by a handover


@dataclass(frozen=True)
class Handover:
    at: datetime
    by: str  # who made the change, in words: 账号（区局名 / 本会代办员）
    new: Clerk
    replaced: tuple[Clerk, ...]


@dataclass
class Term:
    account_id: int
    username: str
    display_name: str
    since: datetime
    until: datetime | None = None  # None: the clerk now
    named_by: str | None = None  # None: before any handover (account made by the centre or on approval)
    ended_by: str | None = None


def terms(handovers: list[Handover], current: list[Clerk]) -> list[Term]:
    """Every clerk term of a union, oldest first: from the handovers in order (each ends the
    terms of the accounts it replaced and starts the new one's) and the union's clerks now that
    no handover named (its first, made by the centre or on approval)."""
    found: dict[int, Term] = {}
    for h in sorted(handovers, key=lambda h: h.at):
        for old in h.replaced:
            term = found.get(old.account_id) or Term(old.account_id, old.username, old.display_name, old.since)
            term.until, term.ended_by = h.at, h.by
            found[old.account_id] = term
        found[h.new.account_id] = Term(h.new.account_id, h.new.username, h.new.display_name, h.at, named_by=h.by)
    for clerk in current:
        if clerk.account_id not in found:
            found[clerk.account_id] = Term(clerk.account_id, clerk.username, clerk.display_name, clerk.since)
    return sorted(found.values(), key=lambda t: (t.since, t.account_id))
