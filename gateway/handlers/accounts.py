"""账号管理: the centre creates accounts bound to a union or district, resets passwords,
disables them, moves them to another role or scope. Rules in `gateway/domain/accounts.py`; the directory lookup in
`gateway/adapters/members_directory.py`, asked as the gateway for the centre's request
(`who.request_id`). Seam: `account_links.issue` (an account made without a password is sent its
activation link)."""

from __future__ import annotations

from common.db import UoW
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from gateway import auth
from gateway.adapters import members_directory, queries
from gateway.adapters.common_passwords import common_passwords
from gateway.adapters.orm import Account
from gateway.domain import accounts as rules
from gateway.domain import links
from gateway.handlers import account_links


def list_accounts(uow: UoW, who: Identity, **query) -> tuple[int, list[Account]]:
    """账号列表: (how many match, a page of them), newest first (queries.accounts)."""
    who.require("centre")
    return queries.accounts(uow.session, **query)


def _bind_scope(data: dict, request_id: str) -> dict:
    """Bind the account to a union or district that members knows; a grassroots account takes
    its union's district."""
    if data["role"] == "grassroots":
        district_id = members_directory.union_district(data["union_id"], request_id)
        if district_id is None:
            raise ValidationFailed({"union_id": ["该基层工会不存在"]})
        data["district_id"] = district_id
    elif data["role"] == "district" and not members_directory.district_exists(data["district_id"], request_id):
        raise ValidationFailed({"district_id": ["该区局（产业）工会不存在"]})
    return data


def create_account(uow: UoW, who: Identity, data: dict) -> Account:
    """新建账号: checked (scope, password), bound to a union or district members knows. With a
    password it is active at once; without one it is made inactive and its activation link is
    sent to its e-mail (seam: account_links.issue), which it then needs."""
    errors = rules.scope_errors(data["role"], data["union_id"], data["district_id"])
    password = data.get("password")
    if password is None:
        if not data.get("email"):
            errors["email"] = ["未设置初始密码时须填写电子邮箱：激活链接将发送至该邮箱"]
    else:
        problems = rules.password_errors(password, data["username"], data["display_name"], common_passwords())
        if problems:
            errors["password"] = problems
    if errors:
        raise ValidationFailed(errors)
    if queries.username_taken(uow.session, data["username"]):
        raise Conflict("用户名已被使用", code="USERNAME_TAKEN", fields={"username": ["用户名已被使用"]})
    data = _bind_scope(data, who.request_id)
    now = auth.utcnow()
    account = Account(
        username=data["username"],
        display_name=data["display_name"],
        password_hash=auth.hash_password(password) if password is not None else account_links.NO_PASSWORD,
        role=data["role"],
        union_id=data["union_id"],
        district_id=data["district_id"],
        email=data.get("email"),
        active=password is not None,
        created_at=now,
        password_changed_at=now,
    )
    uow.session.add(account)
    if password is None:
        uow.session.flush()  # its id, for the link
        account_links.issue(uow, account, links.ACTIVATE, now)
    uow.commit()
    return account


def update_account(uow: UoW, who: Identity, account_id: int, changes: dict) -> Account:
    """重置密码、改名、停用/启用、改变角色或绑定的工会/区局. A new password, disabling, or another role
    or scope ends every session and token of the account at once (auth.end_every_session)."""
    account = uow.session.get(Account, account_id)
    if account is None or account.role == "member":  # a member's own (个人登录) is not the centre's to edit
        raise NotFound()
    changes = dict(changes)
    ends_sessions = False
    if "password" in changes:
        name = changes.get("display_name", account.display_name)
        problems = rules.password_errors(changes["password"], account.username, name, common_passwords())
        if problems:
            raise ValidationFailed({"password": problems})
        account.password_hash = auth.hash_password(changes.pop("password"))
        account.password_changed_at = auth.utcnow()
        ends_sessions = True
    if {"role", "union_id", "district_id"} & changes.keys():
        scope = _new_scope(
            account,
            changes.pop("role", None),
            changes.pop("union_id", None),
            changes.pop("district_id", None),
            who.request_id,
        )
        if scope != (account.role, account.union_id, account.district_id):
            account.role, account.union_id, account.district_id = scope
            ends_sessions = True
    if changes.get("active") is False and account.active:
        ends_sessions = True
    if changes.get("active") is True and account.password_hash == account_links.NO_PASSWORD:
        # 待激活: enabling it would hide that nobody has set a password yet (and let nobody in)
        raise ValidationFailed(
            {"active": ["该账号尚未通过激活链接设置密码，不能直接启用；可在此设置初始密码，或让本人使用“找回密码”"]},
            message="账号待激活，不能直接启用",
            code="ACCOUNT_NOT_ACTIVATED",
        )
    for key, value in changes.items():
        setattr(account, key, value)
    if ends_sessions:
        auth.end_every_session(uow.session, account)
    uow.commit()
    return account


def _new_scope(
    account: Account, role: str | None, union_id: int | None, district_id: int | None, request_id: str
) -> tuple[str, int | None, int | None]:
    """The role and binding after a change: a new role takes only the binding sent with it; the
    same role keeps what was not sent."""
    same_role = role is None or role == account.role
    role = role or account.role
    if same_role:
        union_id = union_id if union_id is not None else (account.union_id if role == "grassroots" else None)
        district_id = district_id if district_id is not None else (account.district_id if role == "district" else None)
    errors = rules.scope_errors(role, union_id, district_id)
    if errors:
        raise ValidationFailed(errors)
    data = _bind_scope({"role": role, "union_id": union_id, "district_id": district_id}, request_id)
    return data["role"], data["union_id"], data["district_id"]
