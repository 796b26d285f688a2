"""Who is calling: a browser session cookie (with CSRF protection on changes) or a bearer token.

Passwords are argon2id hashes. A failed login never says whether the user exists; too many
failures throttle the user name (and the address) for a while.

Every login — cookie or bearer — is a row of `web_sessions` stamped with the account's
`session_epoch`. Every authenticated request reads that row joined with its account (one
primary-key lookup) and accepts it only while the row exists, has not expired, the account is
active and the epochs still agree. So a logout, an ended session, or an account change that ends
sessions (password, disabling, role or scope: `end_every_session`) takes effect on the very next
request on every gateway process: nothing is remembered between requests
(docs/decisions/0017-sessions-end-when-they-must.md).

An API login also gets a refresh token bound to the same row: `refresh` trades it for a new
access token and a new refresh token (rotation; a spent one shown again ends the session), so a
client works the session's whole absolute lifetime on one password check
(docs/decisions/0037-refresh-tokens.md). Ending the row ends its refresh tokens (a cascade)."""

from __future__ import annotations

import hmac
import secrets
import time
import uuid
import weakref
from collections import namedtuple
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import g, request
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Engine

from common import clock
from common.config import secret
from common.errors import Forbidden, Throttled, Unauthorized, Unavailable
from common.identity import Identity
from gateway import settings
from gateway.adapters.orm import Account, LoginFailure, RefreshToken, WebSession
from gateway.adapters.queries import handover_replacing
from gateway.domain import accounts as rules
from gateway.domain import refresh as refresh_rules
from gateway.domain.handover import handed_over_message

SESSION_COOKIE = "union_session"
SESSION_TTL = timedelta(hours=8)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
REFRESH_PATH = "/api/v1/auth/refresh"
LAST_SEEN_EVERY = timedelta(minutes=1)  # how often a session's 最近活动 is written

# argon2id at OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1): ~22 ms a hash on this
# machine, against ~120 ms (0.9 s under load) for the library's default (RFC 9106's low-memory
# profile, m = 64 MiB, t = 3, p = 4). Hashes made with other parameters still verify (argon2 reads
# them from the hash) and are rehashed with these at their next login (check_password).
# docs/decisions/0005-gateway-security.md says why.
HASH_PARAMETERS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
hasher = PasswordHasher(**HASH_PARAMETERS)
_DUMMY_HASH = hasher.hash("not-a-real-password-0")


def gateway_secret() -> str:
    """Key that signs the gateway's own bearer tokens."""
    return secret("GATEWAY_SECRET", "gateway.secret")


utcnow = clock.real_utcnow_naive  # sessions, tokens and audit times are the machine's, not the business clock's


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
    member_id: int | None = None  # a `member` account's member (decision 0041)

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            id=account.id,
            username=account.username,
            display_name=account.display_name,
            role=account.role,
            union_id=account.union_id,
            district_id=account.district_id,
            member_id=account.member_id,
        )


@dataclass(frozen=True)
class SessionView:
    id: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Caller:
    account: AccountView
    via: str  # "cookie" or "bearer"
    session_id: str  # the row in web_sessions this request was authenticated by
    session: SessionView | None = None  # a browser session (its CSRF token); None for a bearer token

    def identity(self, request_id: str) -> Identity:
        a = self.account
        return Identity(
            user=a.username,
            role=a.role,
            union_id=a.union_id,
            district_id=a.district_id,
            request_id=request_id,
            member_id=a.member_id,
        )


class LoginThrottled(Throttled):
    code = "LOGIN_THROTTLED"
    message = "登录失败次数过多，请 15 分钟后再试"


class AddressSlowedDown(Throttled):
    """Many failed logins from one address: wait `retry_after` seconds (also a Retry-After header)."""

    code = "LOGIN_SLOWED_DOWN"

    def __init__(self, seconds: int):
        super().__init__(f"该网络地址最近登录失败次数较多，请 {seconds} 秒后再试", retry_after=seconds)


def hash_password(password: str) -> str:
    return hasher.hash(password)


def check_login(session, username: str, password: str, ip: str) -> Account:
    """Return the account, or raise Unauthorized / LoginThrottled. Records failures."""
    account = session.scalar(select(Account).where(Account.username == username))
    if not check_password(session, username, account, password, ip) or account is None or not account.active:
        raise Unauthorized("用户名或密码错误", code="LOGIN_FAILED")
    return account


def check_password(session, username: str, account: Account | None, password: str, ip: str) -> bool:
    """Whether `password` is the account's, under the login throttle (LoginThrottled when the
    user name failed too often; AddressSlowedDown while the address's back-off runs). A failure is recorded (and committed); a success
    clears the user name's failures and rehashes a hash made with older parameters."""
    now = utcnow()
    since = rules.window_start(now)
    by_user = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.username == username, LoginFailure.at >= since)
    )
    by_ip, last_from_ip = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(LoginFailure.ip == ip, LoginFailure.at >= since)
    ).one()
    if rules.is_throttled(by_user):
        raise LoginThrottled()
    wait = rules.address_wait(by_ip, last_from_ip, now)
    if wait:
        raise AddressSlowedDown(wait)
    try:
        ok = hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if ok and account is not None and not account.active:
        _refuse_if_handed_over(session, account)
    if not ok or account is None or not account.active:
        session.add(LoginFailure(username=username[:64], ip=ip[:64], at=now))
        session.commit()
        return False
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    return True


def _client(user_agent: str | None, ip: str | None) -> dict:
    return {"user_agent": (user_agent or "")[:300] or None, "ip": (ip or "")[:64] or None}


def start_web_session(session, account: Account, user_agent: str | None = None, ip: str | None = None) -> WebSession:
    return _start_session(session, account, "cookie", SESSION_TTL, user_agent, ip)


def _start_session(
    session, account: Account, kind: str, ttl: timedelta, user_agent: str | None, ip: str | None
) -> WebSession:
    now = utcnow()
    web = WebSession(
        id=secrets.token_urlsafe(32),
        account_id=account.id,
        kind=kind,
        epoch=account.session_epoch,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + ttl,
        last_seen_at=now,
        **_client(user_agent, ip),
    )
    session.add(web)
    account.last_login_at = now
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return web


@dataclass(frozen=True)
class Tokens:
    """What an API login or a refresh answers: an access token and the refresh token that renews it."""

    access_token: str
    expires_in: int  # seconds
    refresh_token: str
    refresh_expires_in: int  # seconds: the session's absolute end


def issue_token(session, account: Account, user_agent: str | None = None, ip: str | None = None) -> Tokens:
    """A bearer token bound to a new session row (its `sid` claim), and the row's first refresh
    token: ending the row ends both."""
    web = _start_session(session, account, "bearer", settings.load().api_session_ttl, user_agent, ip)
    session.flush()  # the refresh token's row refers to the session's
    return _tokens(session, account.id, web)


def _tokens(session, account_id: int, web: WebSession) -> Tokens:
    now = utcnow()
    refresh = refresh_rules.new_token()
    session.add(
        RefreshToken(token_hash=refresh_rules.token_hash(gateway_secret(), refresh), session_id=web.id, issued_at=now)
    )
    lifetime = refresh_rules.access_lifetime(now, settings.load().token_ttl, web.expires_at)
    moment = datetime.now(UTC)
    claims = {
        "sub": str(account_id),
        "sid": web.id,
        "jti": uuid.uuid4().hex,
        "iat": moment,
        "exp": moment + lifetime,
        "aud": "union-gateway",
    }
    access = jwt.encode(claims, gateway_secret(), algorithm="HS256")
    return Tokens(access, round(lifetime.total_seconds()), refresh, round((web.expires_at - now).total_seconds()))


class RefreshRefused(Unauthorized):
    code = "REFRESH_INVALID"
    message = "续期凭证无效或已失效，请重新登录"


def refresh(session, presented: object) -> tuple[AccountView, Tokens]:
    """Trade a refresh token for a new pair (the old one is spent), under a row lock so that two
    uses of one token are judged one after the other: the second is a reuse. A reuse ends the
    whole session, committed here before the refusal (the request's own changes are rolled back)."""
    if not refresh_rules.well_formed(presented):
        raise RefreshRefused()
    digest = refresh_rules.token_hash(gateway_secret(), str(presented))
    row = session.execute(
        select(RefreshToken, WebSession, Account)
        .join(WebSession, WebSession.id == RefreshToken.session_id)
        .join(Account, Account.id == WebSession.account_id)
        .where(RefreshToken.token_hash == digest, WebSession.kind == "bearer")
        .with_for_update(of=RefreshToken)
    ).first()
    now = utcnow()
    if row is None:
        verdict = refresh_rules.judge(found=False, spent=False, live=False)
    else:
        token, web, account = row
        live = refresh_rules.session_live(web.expires_at, now, account.active, web.epoch, account.session_epoch)
        verdict = refresh_rules.judge(found=True, spent=token.spent_at is not None, live=live)
    if verdict is refresh_rules.Verdict.INVALID:
        session.rollback()
        raise RefreshRefused()
    if verdict is refresh_rules.Verdict.REUSED:
        g.audit_user = AccountView.of(account)  # 操作日志 says whose session ended
        session.execute(delete(WebSession).where(WebSession.id == web.id))
        session.commit()
        raise RefreshRefused("续期凭证已被使用过，为安全起见本次登录已结束，请重新登录", code="REFRESH_REUSED")
    if verdict is refresh_rules.Verdict.ENDED:
        session.rollback()
        raise RefreshRefused("登录已到期或已失效（已注销、已结束或账号已变更），请重新登录", code="REFRESH_ENDED")
    token.spent_at = now
    web.last_seen_at = now
    return AccountView.of(account), _tokens(session, account.id, web)


def end_every_session(session, account: Account) -> None:
    """End every cookie session and bearer token of the account, on every gateway process, as
    soon as the caller commits: the epoch moves (so even a login racing this one is born dead)
    and the rows go."""
    account.session_epoch = Account.session_epoch + 1  # in SQL: two changes at once both count
    session.execute(delete(WebSession).where(WebSession.account_id == account.id))


def authenticate(open_session) -> Caller | None:
    """The caller of the current request, or None if anonymous (no credential, or a cookie whose
    session has ended). `open_session()` gives the request's database session."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return _bearer(header[7:], open_session)
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid or len(sid) > 64:
        return None
    caller = _valid_session(sid, "cookie")
    if caller is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, caller.session.csrf_token):
            raise Forbidden("页面已过期或来源不明，请刷新页面后重试", code="CSRF_FAILED")
    return caller


# Bearer tokens whose signature and claims were checked, with their claims: a client sends the
# same token for up to 15 minutes, and checking its HMAC again each time changes nothing. Only
# the check of the token itself is remembered — until its `exp`, under the same key — never
# whether its session is live: that is read on every request (_valid_session).
_VERIFIED: dict[str, tuple[str, dict[str, Any]]] = {}
VERIFIED_KEPT = 10_000  # tokens remembered per process; all forgotten when full


def _token_claims(token: str) -> dict[str, Any]:
    key = gateway_secret()
    known = _VERIFIED.get(token)
    if known is not None and known[0] == key and known[1]["exp"] > time.time():
        return known[1]
    claims = jwt.decode(
        token,
        key,
        algorithms=["HS256"],
        audience="union-gateway",
        options={"require": ["exp", "sub", "sid"]},
    )
    if len(_VERIFIED) >= VERIFIED_KEPT:
        _VERIFIED.clear()
    _VERIFIED[token] = (key, claims)
    return claims


def _bearer(token: str, open_session) -> Caller:
    try:
        claims = _token_claims(token)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("登录凭证已过期，请重新登录", code="TOKEN_EXPIRED") from None
    except jwt.PyJWTError:
        raise Unauthorized("登录凭证无效", code="TOKEN_INVALID") from None
    sid = claims["sid"]
    if not isinstance(sid, str) or len(sid) > 64:
        raise Unauthorized("登录凭证无效", code="TOKEN_INVALID")
    caller = _valid_session(sid, "bearer", claims["sub"])
    if caller is None and str(claims["sub"]).isdigit():
        ended = open_session().get(Account, int(claims["sub"]))
        if ended is not None and not ended.active:
            _refuse_if_handed_over(open_session(), ended)
    if caller is None:
        raise Unauthorized("登录凭证已失效（已注销、已结束或账号已变更），请重新登录", code="TOKEN_REVOKED")
    return caller


# The one read every authenticated request makes: its session row and account, as plain columns
# (no ORM entities, no unit of work), on a pooled connection in autocommit on PostgreSQL — one
# round trip, no BEGIN/COMMIT around it (docs/decisions/0048-request-cost.md). Still read on
# every request, so an ended session is refused on the very next one (decision 0017).
_SESSION_ROW = (
    select(
        WebSession.id,
        WebSession.epoch,
        WebSession.csrf_token,
        WebSession.expires_at,
        WebSession.last_seen_at,
        Account.id.label("account_id"),
        Account.username,
        Account.display_name,
        Account.role,
        Account.union_id,
        Account.district_id,
        Account.member_id,
        Account.active,
        Account.session_epoch,
    )
    .join(Account, Account.id == WebSession.account_id)
    .where(WebSession.id == bindparam("sid"), WebSession.kind == bindparam("kind"))
)
_STAMP_LAST_SEEN = update(WebSession).where(WebSession.id == bindparam("sid")).values(last_seen_at=bindparam("now"))


_SessionRow = namedtuple("_SessionRow", [column.key for column in _SESSION_ROW.selected_columns])
_readers: weakref.WeakKeyDictionary[Engine, tuple[Engine, str]] = weakref.WeakKeyDictionary()


def _reader(engine: Engine) -> tuple[Engine, str]:
    """PostgreSQL: a small pool of connections in autocommit beside the gateway's own (so none is
    switched to autocommit and back per request), and _SESSION_ROW as its driver's SQL."""
    reader = _readers.get(engine)
    if reader is None:
        from common.db import make_engine

        autocommit = make_engine(
            engine.url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT", pool_size=4
        )
        reader = _readers[engine] = (autocommit, str(_SESSION_ROW.compile(dialect=autocommit.dialect)))
    return reader


def _session_row(sid: str, kind: str) -> _SessionRow | None:
    from gateway.bootstrap import runtime

    engine = runtime.engine
    if engine.dialect.name != "postgresql":  # SQLite (embedded): through SQLAlchemy, as any read
        with engine.connect() as conn:
            row = conn.execute(_SESSION_ROW, {"sid": sid, "kind": kind}).first()
        return None if row is None else _SessionRow(*row)
    reader, sql = _reader(engine)
    connection = reader.raw_connection()
    try:
        with connection.cursor() as cursor:  # the driver's cursor: one round trip, nothing around it
            cursor.execute(sql, {"sid": sid, "kind": kind})
            row = cursor.fetchone()
    except psycopg.OperationalError as exc:  # the database dropped it (a restart, a failover)
        connection.invalidate()  # never back to the pool: the next request opens a fresh one
        raise Unavailable() from exc
    finally:
        connection.close()  # back to its pool (an invalidated one is discarded)
    return None if row is None else _SessionRow(*row)


def _stamp_last_seen(sid: str, now: datetime) -> None:
    from gateway.bootstrap import runtime

    with runtime.engine.begin() as conn:
        conn.execute(_STAMP_LAST_SEEN, {"sid": sid, "now": now})


def _valid_session(sid: str, kind: str, subject: str | None = None) -> Caller | None:
    """The caller of a live session, or None: one lookup of the row and its account."""
    row = _session_row(sid, kind)
    if row is None:
        return None
    now = utcnow()
    if (
        row.expires_at <= now
        or not row.active
        or row.epoch != row.session_epoch
        or (subject is not None and subject != str(row.account_id))
    ):
        return None
    if row.last_seen_at is None or now - row.last_seen_at >= LAST_SEEN_EVERY:
        _stamp_last_seen(sid, now)  # at most once a minute a session
    account = AccountView(
        id=row.account_id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        union_id=row.union_id,
        district_id=row.district_id,
        member_id=row.member_id,
    )
    view = SessionView(id=row.id, csrf_token=row.csrf_token, expires_at=row.expires_at) if kind == "cookie" else None
    return Caller(account, kind, session_id=row.id, session=view)


def logout(session, caller: Caller) -> None:
    """End the caller's own session (cookie or bearer). The caller commits."""
    session.execute(delete(WebSession).where(WebSession.id == caller.session_id))


def current_caller() -> Caller:
    caller = g.get("caller")
    if caller is None:
        raise Unauthorized("请先登录", code="UNAUTHENTICATED")
    return caller


def start_member_session(
    session, account: Account, bearer: bool, user_agent: str | None = None, ip: str | None = None
) -> WebSession | Tokens:
    """个人登录 (decision 0041): a member's session, a browser's (the row, for its cookie) or an API
    client's (a bearer token and its refresh token), shorter than a clerk's and ended the same ways."""
    from gateway.domain.member_codes import SESSION_TTL as MEMBER_TTL

    web = _start_session(session, account, "bearer" if bearer else "cookie", MEMBER_TTL, user_agent, ip)
    if not bearer:
        return web
    session.flush()  # the refresh token's row refers to the session's
    return _tokens(session, account.id, web)


def _refuse_if_handed_over(session, account: Account) -> None:
    """The old clerk after a handover (代办员变更), who proved the password or holds a token of the
    account: told why, in words (docs/decisions/0040-clerk-handover.md)."""
    row = handover_replacing(session, account)
    if row is not None:
        at = clock.shanghai(row.at).strftime("%Y-%m-%d %H:%M")
        raise Unauthorized(handed_over_message(at, row.by_words), code="ACCOUNT_HANDED_OVER")
