"""代办员变更 (handover) and 重发激活链接: a union's clerk changes, named by the union's clerk or
by its district; the new clerk's account is made inactive with an activation link mailed, every
account the union had as clerk is disabled and all its sessions (and refresh tokens) end at
once, and the change is kept as an append-only row the union's history is read from. The
district (its unions' clerks) and the centre (every account) send a fresh activation link, the
open ones voided. Rules in gateway/domain/handover.py (docs/decisions/0040-clerk-handover.md).

Seam: `account_links.issue` (the new clerk's activation link, and a resent one) and
`account_links.NO_PASSWORD`, `account_links.awaiting_activation`."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import update

from common import clock
from common.db import UoW
from common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from common.identity import Identity
from gateway import auth, contracts
from gateway.adapters import queries
from gateway.adapters.orm import Account, AccountLink, ClerkHandover
from gateway.domain import handover as rules
from gateway.domain import links
from gateway.handlers import account_links

# A replaced clerk who never activated: still no password, but no longer "awaiting activation"
# (that is "!"), so neither 找回密码 nor a resend wakes it.
REPLACED_UNACTIVATED = "!-"


class HandoverRefused(Forbidden):
    code = "HANDOVER_NOT_ALLOWED"


def _by_words(who: Identity, display_name: str, district_name: str | None) -> str:
    if who.role == "district":
        return f"{district_name or '所属区局'}（{who.user}）"
    return f"本会原代办员 {display_name}（{who.user}）"


def hand_over(
    uow: UoW,
    who: Identity,
    union_id: int,
    union_district_id: int,
    names: dict[str, str | None],
    data: dict,
) -> dict:
    """代办员变更: `names` has the union's and its district's names ("union", "district"; None
    when members could not say). The new user name must be free (409 USERNAME_TAKEN); a union
    with no clerk yet simply gets its first (only its district can name it)."""
    refusal = rules.refusal(who.role, who.union_id, who.district_id, union_id, union_district_id)
    if refusal:
        raise HandoverRefused(refusal)
    username = data["username"].strip()
    if queries.username_taken(uow.session, username):
        raise Conflict("用户名已被使用", code="USERNAME_TAKEN", fields={"username": ["用户名已被使用，请换一个"]})
    named = queries.accounts_named(uow.session, who.user)
    by = _by_words(who, named[0].display_name if named else who.user, names.get("district"))
    old_clerks = queries.union_clerks(uow.session, union_id, lock=True)
    now = auth.utcnow()
    replaced = [rules.Clerk(a.id, a.username, a.display_name, _since(uow, a)) for a in old_clerks]
    for account in old_clerks:
        if account.password_hash == account_links.NO_PASSWORD:
            account.password_hash = REPLACED_UNACTIVATED
        account.active = False
        auth.end_every_session(uow.session, account)
        uow.session.execute(
            update(AccountLink)
            .where(AccountLink.account_id == account.id, AccountLink.used_at.is_(None))
            .values(used_at=now)
        )
    new = Account(
        username=username,
        display_name=data["display_name"].strip(),
        password_hash=account_links.NO_PASSWORD,
        role="grassroots",
        union_id=union_id,
        district_id=union_district_id,
        email=data["email"].strip(),
        active=False,
        created_at=now,
        password_changed_at=now,
        set_up_by=names.get("district"),
    )
    uow.session.add(new)
    uow.session.flush()  # its id, for the row and the link
    uow.session.add(
        ClerkHandover(
            union_id=union_id,
            district_id=union_district_id,
            at=now,
            by_username=who.user,
            by_role=who.role,
            by_words=by,
            new_account_id=new.id,
            new_username=new.username,
            new_display_name=new.display_name,
            new_mobile_masked=rules.mask_mobile(data["mobile"]),
            new_email=new.email or "",
            replaced=json.dumps([{**asdict(c), "since": c.since.isoformat()} for c in replaced], ensure_ascii=False),
        )
    )
    account_links.issue(uow, new, links.ACTIVATE, now, contracts.handover_occasion(names.get("union"), by))
    uow.commit()
    ended = "、".join(f"{c.display_name}（{c.username}）" for c in replaced)
    message = (
        f"代办员已变更为 {new.display_name}（用户名 {new.username}）。激活链接已发送至 {new.email}，"
        "请新代办员在 72 小时内打开链接设置密码。"
        + (f"原代办员 {ended}的账号已停用，其所有登录已结束。" if replaced else "")
    )
    return {
        "username": new.username,
        "display_name": new.display_name,
        "replaced": [c.username for c in replaced],
        "message": message,
    }


def _since(uow: UoW, account: Account) -> datetime:
    """When an account became clerk: named by a handover, else when it was made."""
    for row in reversed(queries.handovers_of(uow.session, account.union_id or 0)):
        if row.new_account_id == account.id:
            return row.at
    return account.created_at


def history(uow: UoW, who: Identity, union_id: int, union_district_id: int) -> dict:
    """The union's clerks now and every term (who was clerk from when to when, who named and who
    replaced them), newest first; the union, its district and the centre."""
    if not rules.may_read(who.role, who.union_id, who.district_id, union_id, union_district_id):
        raise NotFound()
    rows = queries.handovers_of(uow.session, union_id)
    handovers = [
        rules.Handover(
            at=r.at,
            by=r.by_words,
            new=rules.Clerk(r.new_account_id, r.new_username, r.new_display_name, r.at),
            replaced=tuple(
                rules.Clerk(o["account_id"], o["username"], o["display_name"], datetime.fromisoformat(o["since"]))
                for o in json.loads(r.replaced)
            ),
        )
        for r in rows
    ]
    current = queries.union_clerks(uow.session, union_id)
    clerks = [rules.Clerk(a.id, a.username, a.display_name, a.created_at) for a in current]
    contact = {r.new_account_id: (r.new_mobile_masked, r.new_email) for r in rows}
    terms = [
        {
            **{k: getattr(t, k) for k in ("username", "display_name", "named_by", "ended_by")},
            "since": clock.shanghai(t.since),
            "until": clock.shanghai(t.until),
            "mobile": contact.get(t.account_id, (None, None))[0],
            "email": contact.get(t.account_id, (None, None))[1],
        }
        for t in reversed(rules.terms(handovers, clerks))
    ]
    return {
        "union_id": union_id,
        "clerks": [
            {
                "id": a.id,
                "username": a.username,
                "display_name": a.display_name,
                "email": a.email,
                "awaiting_activation": account_links.awaiting_activation(a),
            }
            for a in current
        ],
        "terms": terms,
    }


def clerk_accounts(
    uow: UoW, who: Identity, awaiting: bool = False, page: int = 1, per_page: int = 100
) -> tuple[int, list[Account]]:
    """代办员账号: (how many, a page of) the district's unions' grassroots accounts (the centre's:
    every one); `awaiting`: only those awaiting activation (what 重发激活链接 is for)."""
    district_id = who.district_id if who.role == "district" else None
    marker = account_links.NO_PASSWORD if awaiting else None
    return queries.clerk_accounts(uow.session, district_id, marker, page, per_page)


def resend_activation(uow: UoW, who: Identity, account_id: int) -> Account:
    """重发激活链接: a fresh activation link, the account's open ones voided (account_links.issue
    uses them up). The district for its unions' clerks (another account: 404), the centre for any.
    Only for an account awaiting activation with an e-mail address."""
    account = uow.session.get(Account, account_id)
    if (
        account is None
        or account.role == "member"
        or (who.role == "district" and (account.role != "grassroots" or account.district_id != who.district_id))
    ):
        raise NotFound()
    if not account_links.awaiting_activation(account):
        raise Conflict(
            "该账号不在待激活状态（已激活或已停用），不能重发激活链接；已激活的账号忘记密码可使用登录页“找回密码”",
            code="ACCOUNT_NOT_AWAITING_ACTIVATION",
        )
    if not account.email:
        raise ValidationFailed(
            {"email": ["该账号未登记电子邮箱"]}, message="该账号未登记电子邮箱，无法发送激活链接", code="NO_EMAIL"
        )
    account_links.issue(uow, account, links.ACTIVATE, auth.utcnow())
    uow.commit()
    return account
