"""Who is calling: a browser session cookie (with CSRF protection on changes) or a bearer token.

Passwords are argon2id hashes. A failed login never says whether the user exists; too many
failures throttle the user name (and the address) for a while."""
from __future__ import annotations

import hmac
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import g, request
from sqlalchemy import delete, func, select

from common.config import data_dir
from common.errors import AppError, Unauthorized
from common.identity import Identity
from gateway.adapters.orm import Account, LoginFailure, RevokedToken, WebSession
from gateway.domain import accounts as rules

SESSION_COOKIE = "union_session"
SESSION_TTL = timedelta(hours=8)
TOKEN_TTL = timedelta(minutes=15)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = hasher.hash("not-a-real-password-0")


def gateway_secret() -> str:
    secret = os.environ.get("GATEWAY_SECRET")
    if secret:
        return secret
    path = data_dir() / "gateway.secret"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        os.replace(tmp, path)
    return path.read_text().strip()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass
class Caller:
    account: Account
    via: str  # "cookie" or "bearer"
    session: WebSession | None = None
    jti: str | None = None

    def identity(self, request_id: str) -> Identity:
        a = self.account
        return Identity(user=a.username, role=a.role, union_id=a.union_id, district_id=a.district_id,
                        request_id=request_id)


class Throttled(AppError):
    status = 429
    code = "LOGIN_THROTTLED"
    message = "登录失败次数过多，请 15 分钟后再试"


def hash_password(password: str) -> str:
    return hasher.hash(password)


def check_login(session, username: str, password: str, ip: str) -> Account:
    """Return the account, or raise Unauthorized / Throttled. Records failures."""
    now = utcnow()
    since = rules.window_start(now)
    by_user = session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(LoginFailure.username == username, LoginFailure.at >= since))
    by_ip = session.scalar(select(func.count()).select_from(LoginFailure)
                           .where(LoginFailure.ip == ip, LoginFailure.at >= since))
    if rules.is_throttled(by_user, by_ip):
        raise Throttled()
    account = session.scalar(select(Account).where(Account.username == username))
    ok = False
    try:
        ok = hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or account is None or not account.active:
        session.add(LoginFailure(username=username[:64], ip=ip[:64], at=now))
        session.commit()
        raise Unauthorized("用户名或密码错误", code="LOGIN_FAILED")
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    return account


def start_web_session(session, account: Account) -> WebSession:
    web = WebSession(id=secrets.token_urlsafe(32), account_id=account.id, csrf_token=secrets.token_urlsafe(32),
                     created_at=utcnow(), expires_at=utcnow() + SESSION_TTL)
    session.add(web)
    session.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
    return web


def issue_token(account: Account) -> tuple[str, int]:
    now = datetime.now(timezone.utc)
    claims = {"sub": str(account.id), "jti": uuid.uuid4().hex, "iat": now, "exp": now + TOKEN_TTL,
              "aud": "union-gateway"}
    return jwt.encode(claims, gateway_secret(), algorithm="HS256"), int(TOKEN_TTL.total_seconds())


def authenticate(session) -> Caller | None:
    """The caller of the current request, or None if anonymous."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        try:
            claims = jwt.decode(header[7:], gateway_secret(), algorithms=["HS256"], audience="union-gateway",
                                options={"require": ["exp", "sub", "jti"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("登录凭证已过期，请重新登录", code="TOKEN_EXPIRED") from None
        except jwt.PyJWTError:
            raise Unauthorized("登录凭证无效", code="TOKEN_INVALID") from None
        if session.get(RevokedToken, claims["jti"]) is not None:
            raise Unauthorized("登录凭证已注销", code="TOKEN_REVOKED")
        account = session.get(Account, int(claims["sub"]))
        if account is None or not account.active:
            raise Unauthorized("账号不可用", code="ACCOUNT_DISABLED")
        return Caller(account, "bearer", jti=claims["jti"])
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return None
    web = session.get(WebSession, sid)
    if web is None or web.expires_at < utcnow():
        return None
    account = session.get(Account, web.account_id)
    if account is None or not account.active:
        return None
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, web.csrf_token):
            raise AppError("页面已过期或来源不明，请刷新页面后重试", code="CSRF_FAILED", status=403)
    return Caller(account, "cookie", session=web)


def logout(session, caller: Caller) -> None:
    if caller.via == "cookie" and caller.session is not None:
        session.delete(caller.session)
    elif caller.jti:
        session.merge(RevokedToken(jti=caller.jti, expires_at=utcnow() + TOKEN_TTL))
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))


def current_caller() -> Caller:
    caller = g.get("caller")
    if caller is None:
        raise Unauthorized("请先登录", code="UNAUTHENTICATED")
    return caller
