"""Who receives a notification by e-mail: the active accounts of a union (grassroots), of a
district (district role) or of the centre, with an e-mail address. The gateway owns accounts
and their addresses; the notifications service asks here when it sends (docs/decisions/0019)."""

from __future__ import annotations

from sqlalchemy import select

from gateway.adapters.orm import Account

_ROLE = {"union": "grassroots", "district": "district", "centre": "centre"}


def recipients(session, scopes: dict[str, list[int]]) -> dict[str, dict[int, list[str]]]:
    """{audience: {id: [addresses]}} for the asked audiences (`union`, `district`, `centre` with id 0)."""
    out: dict[str, dict[int, list[str]]] = {}
    for audience, ids in scopes.items():
        if audience not in _ROLE or not ids:
            continue
        found = {i: [] for i in ids}
        query = select(Account).where(
            Account.role == _ROLE[audience], Account.active.is_(True), Account.email.is_not(None)
        )
        if audience == "union":
            query = query.where(Account.union_id.in_(ids))
        elif audience == "district":
            query = query.where(Account.district_id.in_(ids))
        for account in session.scalars(query.order_by(Account.id)):
            key = account.union_id if audience == "union" else (account.district_id if audience == "district" else 0)
            if key in found:
                found[key].append(account.email)
        out[audience] = found
    return out
