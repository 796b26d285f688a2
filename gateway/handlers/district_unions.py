"""The district's 基层工会 page (issue 27 item 6): per union of the district its registration, its
clerk's account and last login (the gateway's own), and this year's enrolment and money — the list
a district phones through before a deadline. Composed per page from each owner, never copied:
enrollment pages the unions with their submissions and billing's figures (filters 未提交 / 已退回 /
欠费), the gateway's accounts page the unions by their clerks' accounts (未激活 / 从未登录), members
says which came in through 组织注册. Every question is one page (≤ 200 unions); the workbook is
the same pages, one after another, up to MAX_EXPORT rows.

Seams: `account_links.NO_PASSWORD` (an account awaiting activation has no password yet)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from common.db import UoW
from common.errors import Rejected, ValidationFailed
from common.identity import Identity
from common.pii import mask_mobile
from gateway.adapters import owners, queries
from gateway.adapters.orm import Account
from gateway.handlers.account_links import NO_PASSWORD

FILTERS = {
    "not_submitted": "未提交",
    "returned": "已退回",
    "owing": "欠费",
    "inactive": "未激活",
    "never_logged_in": "从未登录",
}
ACCOUNT_FILTERS = ("inactive", "never_logged_in")
ACCOUNT_STATES = {"none": "未开户", "awaiting_activation": "待激活", "active": "已激活", "disabled": "已停用"}
MAX_PAGE = 200
MAX_EXPORT = 20_000


def district_unions(
    uow: UoW,
    who: Identity,
    cover_year: int,
    show: str | None = None,
    name: str | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = 50,
) -> dict:
    """{cover_year, show, sort, total, counts, items}: one page, and the count of every state."""
    who.require("district")
    if show is not None and show not in FILTERS:
        raise ValidationFailed({"show": ["取值须为以下之一：" + "、".join(FILTERS)]})
    per_page = min(per_page, MAX_PAGE)
    session = uow.session
    conditions = queries.clerk_filters(NO_PASSWORD)
    if show in ACCOUNT_FILTERS:
        if name:
            raise ValidationFailed({"name": ["按账号状态筛选时不能同时按单位名称查询，请清空单位名称"]})
        total, ids = queries.clerk_union_page(session, who.district_id, conditions[show], page, per_page)
        counts = owners.district_unions(who, cover_year, per_page=1)["counts"]
        found = owners.district_unions(who, cover_year, union_ids=ids, per_page=MAX_PAGE)["items"] if ids else []
        by_id = {r["union_id"]: r for r in found}
        # a union whose account is here but which the directory no longer places in this district
        rows = [by_id.get(i) or {"union_id": i, "name": None} for i in ids]
        sort = "created"
    else:
        answer = owners.district_unions(who, cover_year, state=show, name=name, sort=sort, page=page, per_page=per_page)
        total, counts, rows = answer["total"], answer["counts"], answer["items"]
    for key, condition in conditions.items():
        counts[key] = queries.clerk_union_count(session, who.district_id, condition)
    ids = [r["union_id"] for r in rows]
    clerks: dict[int, list[Account]] = {}
    for account in queries.clerks_of_unions(session, who.district_id, ids):
        clerks.setdefault(account.union_id or 0, []).append(account)
    origins = owners.registration_origins(who, ids)
    items = [_row(r, clerks.get(r["union_id"], []), origins.get(r["union_id"])) for r in rows]
    return {
        "cover_year": cover_year,
        "show": show,
        "sort": sort,
        "page": page,
        "per_page": per_page,
        "total": total,
        "counts": counts,
        "items": items,
    }


def _state(account: Account) -> str:
    if account.active:
        return "active"
    return "awaiting_activation" if account.password_hash == NO_PASSWORD else "disabled"


def _row(row: dict, accounts: list[Account], origin: dict | None) -> dict:
    """One union as the page shows it: the clerk is the union's active account (else its latest)."""
    ranked = sorted(accounts, key=lambda a: (a.active, a.last_login_at or datetime.min, a.id), reverse=True)
    clerk = ranked[0] if ranked else None
    logins = [a.last_login_at for a in accounts if a.last_login_at]
    state = _state(clerk) if clerk else "none"
    return {
        **row,
        "registered_via": "registration" if origin else "centre",
        "registered_via_text": "组织注册" if origin else "市职保中心登记",
        "registration_no": origin["registration_no"] if origin else None,
        "account_state": state,
        "account_state_text": ACCOUNT_STATES[state],
        "username": clerk.username if clerk else None,
        "clerk_name": clerk.display_name if clerk else row.get("contact_person"),
        "clerk_mobile": mask_mobile(row.get("phone")),
        "last_login_at": max(logins) if logins else None,
        "phone": None,  # never in full: the masked mobile is enough to recognise the number
    }


def export_rows(
    uow: UoW, who: Identity, cover_year: int, show: str | None = None, name: str | None = None, sort: str = "name"
) -> list[dict]:
    """Every union of the list (the page's filter, search and order), page after page."""
    first = district_unions(uow, who, cover_year, show, name, sort, 1, MAX_PAGE)
    if first["total"] > MAX_EXPORT:
        raise Rejected(
            f"本次导出共 {first['total']} 家，超过 {MAX_EXPORT} 家的上限，请按状态或单位名称缩小范围后再导出",
            code="EXPORT_TOO_LARGE",
        )
    return list(_pages(uow, who, cover_year, show, name, sort, first))


def _pages(uow, who, cover_year, show, name, sort, first: dict) -> Iterator[dict]:
    yield from first["items"]
    page, seen = 1, len(first["items"])
    while seen < first["total"]:
        page += 1
        items = district_unions(uow, who, cover_year, show, name, sort, page, MAX_PAGE)["items"]
        if not items:
            return
        seen += len(items)
        yield from items
