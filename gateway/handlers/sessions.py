"""登录设备 / 会话管理: a person sees where they are logged in and ends sessions; changing one's own
password ends them all. A session is named to its owner by a handle derived from its id, never by
the id itself (the id is the credential: a cookie's value, a token's `sid`)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import CursorResult, delete

from common.db import UoW
from common.errors import NotFound, ValidationFailed
from gateway import auth
from gateway.adapters import queries
from gateway.adapters.common_passwords import common_passwords
from gateway.adapters.orm import Account, WebSession
from gateway.domain import accounts as rules


def handle_of(session_id: str) -> str:
    return hashlib.sha256(("session-handle:" + session_id).encode()).hexdigest()[:32]


def list_sessions(uow: UoW, who: auth.Caller) -> list[dict]:
    """The caller's live sessions, the current one first, then the most recently seen."""
    now = auth.utcnow()
    rows = queries.sessions_alive(uow.session, who.account.id, now)
    account = uow.session.get(Account, who.account.id)
    live = [r for r in rows if account is not None and r.epoch == account.session_epoch]
    live.sort(key=lambda r: (r.id != who.session_id, -(r.last_seen_at or r.created_at).timestamp()))
    return [
        {
            "id": handle_of(r.id),
            "kind": r.kind,
            "created_at": _utc(r.created_at),
            "last_seen_at": _utc(r.last_seen_at or r.created_at),
            "expires_at": _utc(r.expires_at),
            "user_agent": r.user_agent,
            "ip": r.ip,
            "current": r.id == who.session_id,
        }
        for r in live
    ]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)  # stored naive in UTC; said with its offset


def end_session(uow: UoW, who: auth.Caller, handle: str) -> None:
    """结束一个会话 of the caller's own (the current one too: that is a logout). Anyone else's, or
    none at all, is the same 404."""
    ids = queries.session_ids(uow.session, who.account.id)
    target = next((sid for sid in ids if handle_of(sid) == handle), None)
    if target is None:
        raise NotFound("未找到该会话", code="SESSION_NOT_FOUND")
    uow.session.execute(delete(WebSession).where(WebSession.id == target))
    uow.commit()


def end_other_sessions(uow: UoW, who: auth.Caller) -> int:
    """结束其他所有会话: every session of the caller but the one making this request."""
    ended: CursorResult = uow.session.execute(  # type: ignore[assignment]  # a DELETE's result
        delete(WebSession).where(WebSession.account_id == who.account.id, WebSession.id != who.session_id)
    )
    uow.commit()
    return ended.rowcount


def change_own_password(uow: UoW, who: auth.Caller, current: str, new: str, ip: str) -> None:
    """修改密码: the current password must be right — guesses count against the login throttle, so
    a borrowed session cannot try passwords freely; every session of the account ends, this one
    too (the person logs in again with the new password)."""
    account = uow.session.get(Account, who.account.id)
    if account is None or not auth.check_password(uow.session, who.account.username, account, current, ip):
        raise ValidationFailed({"current_password": ["当前密码不正确"]}, code="PASSWORD_WRONG")
    problems = rules.password_errors(new, account.username, account.display_name, common_passwords())
    if current == new:
        problems.append("新密码不能与当前密码相同")
    if problems:
        raise ValidationFailed({"new_password": problems})
    account.password_hash = auth.hash_password(new)
    account.password_changed_at = auth.utcnow()
    auth.end_every_session(uow.session, account)
    uow.commit()
