"""Whose members a caller may see and change: the centre every member, a district the members of
its unions, a union its own. A member who belongs to no union (转出, not yet taken in) is the
centre's alone. Pure: the caller brings the member's union and that union's district."""

from __future__ import annotations

from common.identity import Identity


def member_in_scope(who: Identity, union_id: int | None, district_id: int | None) -> bool:
    if who.role == "centre":
        return True
    if union_id is None:
        return False
    if who.role == "district":
        return district_id == who.district_id
    return union_id == who.union_id
