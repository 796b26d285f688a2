"""Who is calling: a browser session cookie (with CSRF protection on changes) or a bearer token.

Passwords are argon2id hashes. A failed login never says whether the user exists; too many
failures throttle the user name (and the address) for a while.

A verified credential is remembered in the process for CACHE_SECONDS, so that a burst of
requests does not read the gateway database each time. The bound: a logout, or a change to the
account (disable, password, name), takes effect at once on the gateway process that served it,
and within CACHE_SECONDS on the other processes. Expiry and CSRF are checked on every request."""
from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import g, request
from sqlalchemy import delete, func, select

from common.config import data_dir
from common.errors import Forbidden, Throttled, Unauthorized
from common.identity import Identity
from gateway.adapters.orm import Account, LoginFailure, RevokedToken, WebSession
from gateway.domain import accounts as rules

SESSION_COOKIE = "union_session"
SESSION_TTL = timedelta(hours=8)
TOKEN_TTL = timedelta(minutes=15)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CACHE_SECONDS = 2.0
CACHE_MAX_ENTRIES = 10_000

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


@dataclass(frozen=True)
class AccountView:
    """What a request needs of the caller's account: a plain snapshot, safe to keep between
    requests and threads (an ORM object belongs to one database session)."""
    id: int
    username: str
    display_name: str
    role: str
    union_id: int | None
    district_id: int | None

    @classmethod
    def of(cls, account: Account) -> "AccountView":
        return cls(id=account.id, username=account.username, display_name=account.display_name,
                   role=account.role, union_id=account.union_id, district_id=account.district_id)


@dataclass(frozen=True)
class SessionView:
    id: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Caller:
    account: AccountView
    via: str  # "cookie" or "bearer"
    session: SessionView | None = None
    jti: str | None = None
    key: str = ""  # the credential as the cache knows it

    def identity(self, request_id: str) -> Identity:
        a = self.account
        return Identity(user=a.username, role=a.role, union_id=a.union_id, district_id=a.district_id,
                        request_id=request_id)


class LoginThrottled(Throttled):
    code = "LOGIN_THROTTLED"
    message = "登录失败次数过多，请 15 分钟后再试"


def hash_password(password: str) -> str:
    return hasher.hash(password)


def check_login(session, username: str, password: str, ip: str) -> Account:
    """Return the account, or raise Unauthorized / LoginThrottled. Records failures."""
    now = utcnow()
    since = rules.window_start(now)
    by_user = session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(LoginFailure.username == username, LoginFailure.at >= since))
    by_ip = session.scalar(select(func.count()).select_from(LoginFailure)
                           .where(LoginFailure.ip == ip, LoginFailure.at >= since))
    if rules.is_throttled(by_user, by_ip):
        raise LoginThrottled()
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


# key -> (when verified, monotonic; the caller; the credential's own expiry, epoch seconds)
_verified: dict[str, tuple[float, Caller, float]] = {}
_verified_lock = threading.Lock()
# Bumped by every forget: a lookup that began before a logout must not store what it read.
_generation = 0


def _cached(key: str) -> Caller | None:
    entry = _verified.get(key)
    if entry is None:
        return None
    checked, caller, until = entry
    if time.monotonic() - checked >= CACHE_SECONDS or time.time() >= until:
        return None
    return caller


def _remember(key: str, caller: Caller, until: float, generation: int) -> None:
    with _verified_lock:
        if generation != _generation:
            return  # a logout or account change happened while we read the database
        if len(_verified) >= CACHE_MAX_ENTRIES:
            _verified.clear()  # many distinct credentials at once: start over rather than grow
        _verified[key] = (time.monotonic(), caller, until)


def forget(key: str) -> None:
    """Drop one credential from this process's cache (after its logout is committed)."""
    global _generation
    with _verified_lock:
        _generation += 1
        _verified.pop(key, None)


def forget_account(account_id: int) -> None:
    """Drop every cached credential of an account (after a change to it is committed)."""
    global _generation
    with _verified_lock:
        _generation += 1
        for key in [k for k, (_, caller, _) in _verified.items() if caller.account.id == account_id]:
            del _verified[key]


def authenticate(open_session) -> Caller | None:
    """The caller of the current request, or None if anonymous. `open_session()` gives the
    request's database session; it is opened only when the credential is not cached."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return _bearer(header[7:], open_session)
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return None
    caller = _cookie(sid, open_session)
    if caller is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, caller.session.csrf_token):
            raise Forbidden("页面已过期或来源不明，请刷新页面后重试", code="CSRF_FAILED")
    return caller


def _bearer(token: str, open_session) -> Caller:
    key = "bearer:" + token
    caller = _cached(key)  # only a token that passed every check below is ever cached
    if caller is not None:
        return caller
    generation = _generation
    try:
        claims = jwt.decode(token, gateway_secret(), algorithms=["HS256"], audience="union-gateway",
                            options={"require": ["exp", "sub", "jti"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("登录凭证已过期，请重新登录", code="TOKEN_EXPIRED") from None
    except jwt.PyJWTError:
        raise Unauthorized("登录凭证无效", code="TOKEN_INVALID") from None
    session = open_session()
    if session.get(RevokedToken, claims["jti"]) is not None:
        raise Unauthorized("登录凭证已注销", code="TOKEN_REVOKED")
    account = session.get(Account, int(claims["sub"]))
    if account is None or not account.active:
        raise Unauthorized("账号不可用", code="ACCOUNT_DISABLED")
    caller = Caller(AccountView.of(account), "bearer", jti=claims["jti"], key=key)
    _remember(key, caller, float(claims["exp"]), generation)
    return caller


def _cookie(sid: str, open_session) -> Caller | None:
    key = "cookie:" + sid
    caller = _cached(key)
    if caller is not None:
        return caller
    generation = _generation
    session = open_session()
    web = session.get(WebSession, sid)
    if web is None or web.expires_at < utcnow():
        return None
    account = session.get(Account, web.account_id)
    if account is None or not account.active:
        return None
    caller = Caller(AccountView.of(account), "cookie", key=key,
                    session=SessionView(id=web.id, csrf_token=web.csrf_token, expires_at=web.expires_at))
    _remember(key, caller, web.expires_at.replace(tzinfo=timezone.utc).timestamp(), generation)
    return caller


def logout(session, caller: Caller) -> None:
    """End the caller's session or revoke its token. The caller commits, then calls `forget`."""
    if caller.via == "cookie" and caller.session is not None:
        session.execute(delete(WebSession).where(WebSession.id == caller.session.id))
    elif caller.jti:
        session.merge(RevokedToken(jti=caller.jti, expires_at=utcnow() + TOKEN_TTL))
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))


def current_caller() -> Caller:
    caller = g.get("caller")
    if caller is None:
        raise Unauthorized("请先登录", code="UNAUTHENTICATED")
    return caller
