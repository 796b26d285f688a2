"""工会批量导入's accounts (bulk provisioning, issue 27 item 4): members publishes the clerks of a
loaded workbook as `members.clerks.loaded` (up to 5,000 a message); the gateway makes each an
*inactive* account with no password and an activation link, all in sets — one statement for the
accounts, one COPY for the links, one for the mails' events (`gateway.account.link_issued`,
through the outbox; the notifications service mails them at the SMTP server's pace). No
password is hashed here: the clerk sets it from the link (docs/decisions/0035, 0039).

Once per message (the inbox). A clerk whose account exists already (same user name, role and
scope) is not made again; a wanted name another account holds gets the unit's id added, as for
组织审核 (the mail tells the name).

Seam: `account_links.NO_PASSWORD` (what an account without a password holds instead of a hash)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import ARRAY, String, any_, bindparam, insert, select, text

from common import clock, facts
from common.db import UoW, insert_rows
from gateway import auth, contracts, settings
from gateway.adapters.orm import Account, AccountLink
from gateway.domain import links
from gateway.domain import registration as rules
from gateway.handlers.account_links import NO_PASSWORD

log = logging.getLogger(__name__)
_CHUNK = 5_000  # names a query asks about at once (bind parameters are capped)


@dataclass(frozen=True)
class Clerk:
    role: str
    union_id: int | None
    district_id: int
    username: str
    clerk_name: str
    email: str
    set_up_by: str | None = None  # the uploading district's name (decision 0040); None: the centre

    @classmethod
    def of(cls, data: dict) -> Clerk:
        role = facts.choice(data, "role", ("grassroots", "district"))
        union_id = facts.integer(data, "union_id", minimum=1) if role == "grassroots" else None
        return cls(
            role,
            union_id,
            facts.integer(data, "district_id", minimum=1),
            facts.text(data, "username"),
            facts.text(data, "clerk_name"),
            facts.text(data, "email"),
            data.get("set_up_by") if isinstance(data.get("set_up_by"), str) else None,
        )

    @property
    def scope(self) -> tuple[str, int | None, int | None]:
        return self.role, self.union_id, self.district_id if self.role == "district" else None


@facts.consumes
def create_clerk_accounts_when_loaded(uow: UoW, event: dict) -> None:
    field = facts.field(event["data"], "clerks")
    if not isinstance(field, list):
        raise facts.MalformedEvent("clerks: not a list")
    clerks = [Clerk.of(c) for c in field]
    if not clerks:
        return
    existing = _accounts_named(uow, [c.username for c in clerks] + [_fallback(c) for c in clerks])
    now = auth.utcnow()
    fresh, names = [], set(existing)
    for c in clerks:
        held = existing.get(c.username)
        if held is not None and held == c.scope:
            continue  # made already (a replay of the same rows)
        username = c.username
        if username in names:
            username = _fallback(c)
            if username in names:
                log.warning("bulk clerk's user names taken", extra={"wanted": c.username})
                continue
            log.warning("bulk clerk's user name taken", extra={"wanted": c.username, "given": username})
        names.add(username)
        fresh.append((c, username))
    if not fresh:
        return
    ids = _insert_accounts(
        uow,
        [
            {
                "username": username,
                "display_name": c.clerk_name,
                "password_hash": NO_PASSWORD,
                "role": c.role,
                "union_id": c.union_id,
                "district_id": c.district_id,
                "email": c.email,
                "active": False,
                "created_at": now,
                "password_changed_at": now,
                "session_epoch": 0,
                "set_up_by": c.set_up_by,
            }
            for c, username in fresh
        ],
    )
    config, key = settings.load(), auth.gateway_secret()
    expires_at = links.expires(links.ACTIVATE, now, config.activation_link_ttl, config.reset_link_ttl)
    shown = clock.shanghai(expires_at).isoformat()
    link_rows, mails = [], []
    for (c, username), account_id in zip(fresh, ids, strict=True):
        token = links.new_token()
        link_rows.append(
            {
                "account_id": account_id,
                "purpose": links.ACTIVATE,
                "token_hash": links.token_hash(key, token),
                "created_at": now,
                "expires_at": expires_at,
                "used_at": None,
            }
        )
        mails.append(
            (
                contracts.ACCOUNT_LINK_ISSUED,
                contracts.link_issued_data(
                    account_id, username, c.clerk_name, c.email, links.ACTIVATE, token, shown, set_up_by=c.set_up_by
                ),
            )
        )
    insert_rows(uow.session, AccountLink.__table__, link_rows)
    uow.publish_many(mails)


def _fallback(c: Clerk) -> str:
    return rules.fallback_username(c.username, c.union_id or c.district_id)


def _insert_accounts(uow: UoW, rows: list[dict]) -> list[int]:
    """The accounts in one go, their ids in the rows' order: ids from the table's sequence and
    COPY on PostgreSQL (a statement with thousands of parameters is slow to send), else one
    executemany with RETURNING."""
    table = Account.__table__
    if uow.session.get_bind().dialect.name != "postgresql":
        return list(
            uow.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars()
        )
    ids = list(
        uow.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence('accounts', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)},
        )
    )
    insert_rows(uow.session, table, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    return ids


def _accounts_named(uow: UoW, names: list[str]) -> dict[str, tuple[str, int | None, int | None]]:
    """The accounts holding any of these names: name → (role, union, district if a district's)."""
    found: dict[str, tuple[str, int | None, int | None]] = {}
    unique = list(dict.fromkeys(names))
    columns = select(Account.username, Account.role, Account.union_id, Account.district_id)
    if uow.session.get_bind().dialect.name == "postgresql":  # one array parameter, not thousands
        queries = [columns.where(Account.username == any_(bindparam("names", unique, type_=ARRAY(String))))]
    else:
        queries = [columns.where(Account.username.in_(unique[i : i + _CHUNK])) for i in range(0, len(unique), _CHUNK)]
    for query in queries:
        for name, role, union_id, district_id in uow.session.execute(query):
            found[name] = (role, union_id, district_id if role == "district" else None)
    return found
