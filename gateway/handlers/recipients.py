"""Who receives a notification by e-mail: the active accounts of a union (grassroots), of a
district (district role) or of the centre, with an e-mail address. The gateway owns accounts
and their addresses; the notifications service asks here when it sends (docs/decisions/0019)."""

from __future__ import annotations

from common.db import UoW
from common.identity import Identity
from gateway.adapters import queries

_ROLE = {"union": "grassroots", "district": "district", "centre": "centre"}


def recipients(uow: UoW, who: Identity, scopes: dict[str, list[int]]) -> dict[str, dict[int, list[str]]]:
    """{audience: {id: [addresses]}} for the asked audiences (`union`, `district`, `centre` with id 0)."""
    out: dict[str, dict[int, list[str]]] = {}
    for audience, ids in scopes.items():
        if audience not in _ROLE or not ids:
            continue
        found: dict[int, list[str]] = {i: [] for i in ids}
        accounts = queries.mailable_accounts(
            uow.session,
            _ROLE[audience],
            union_ids=ids if audience == "union" else None,
            district_ids=ids if audience == "district" else None,
        )
        for account in accounts:
            key = account.union_id if audience == "union" else (account.district_id if audience == "district" else 0)
            if key in found and account.email:
                found[key].append(account.email)
        out[audience] = found
    return out
