"""The signed internal identity the gateway hands to services (header `X-Internal-Identity`).

A short-lived HS256 token: user, role, union, district, request id. Services refuse a request
without a valid one and scope every query by it again (defence in depth).

The gateway signs one token per caller and reuses it for half its lifetime (`sign_reused`: no
request id inside; the service takes it from `X-Request-Id`), and a service remembers the
tokens it has checked until they expire (`verify`): a caller's requests within 30 s carry the
same token, so neither side computes an HMAC per request (docs/decisions/0048-request-cost.md).
What a token says and how long it is good for are unchanged."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, TypeVar

import jwt
from sqlalchemy import ColumnElement, Select, false

from common.config import internal_secret
from common.errors import Forbidden, NotFound, Unauthorized

HEADER = "X-Internal-Identity"
ROLES = ("grassroots", "district", "centre")
# The gateway's own identity for the calls it makes for no person: it reads the union directory to
# bind an account and the services' OpenAPI documents. An endpoint admits it only where its
# `roles(...)` names it (two directory reads), so it can read scope facts and do nothing else.
GATEWAY = "gateway"
# A person signed in with a one-time code to see their own card and cover (issue 29,
# docs/decisions/0041-member-sign-in.md): `member_id` names them, `union_id` their union at
# sign-in. An endpoint admits the role only where its `roles(...)` names it, and answers only
# about `member_id`; `scoped` narrows a member to nothing.
MEMBER = "member"
AUDIENCE = "union-services"
T = TypeVar("T", bound=tuple[Any, ...])
TTL_SECONDS = 60


@dataclass(frozen=True)
class Identity:
    user: str
    role: str
    union_id: int | None = None
    district_id: int | None = None
    request_id: str = ""
    member_id: int | None = None  # the member's own id, for the `member` role only

    @property
    def is_centre(self) -> bool:
        return self.role == "centre"

    def require(self, *roles: str) -> Identity:
        if self.role not in roles:
            raise Forbidden()
        return self

    def check_union(self, union_id: int, district_id: int | None) -> None:
        """Raise NotFound unless this union lies in the caller's scope (never reveal it exists)."""
        if self.role in ("centre", GATEWAY):
            return
        if self.role == "district" and district_id is not None and district_id == self.district_id:
            return
        if self.role == "grassroots" and union_id == self.union_id:
            return
        raise NotFound()

    def check_district(self, district_id: int) -> None:
        if self.role in ("centre", GATEWAY) or (self.role == "district" and district_id == self.district_id):
            return
        raise NotFound()


def sign(identity: Identity, secret: str | None = None, ttl: int = TTL_SECONDS) -> str:
    now = int(time.time())
    claims = {
        "sub": identity.user,
        "role": identity.role,
        "union": identity.union_id,
        "district": identity.district_id,
        "rid": identity.request_id,
        "member": identity.member_id,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, secret or internal_secret(), algorithm="HS256")


# (key, caller without a request id) -> (token, reuse until), and token -> (key, identity, exp)
_SIGNED: dict[tuple[str, Identity], tuple[str, float]] = {}
_VERIFIED: dict[str, tuple[str, Identity, float]] = {}
KEPT = 10_000  # entries per process in each; all forgotten when full


def sign_reused(identity: Identity) -> str:
    """`sign(identity)` without its request id, the same token for the same caller while it has
    at least half its lifetime left."""
    key = internal_secret()
    who = Identity(identity.user, identity.role, identity.union_id, identity.district_id, "", identity.member_id)
    now = time.time()
    known = _SIGNED.get((key, who))
    if known is not None and now < known[1]:
        return known[0]
    token = sign(who, key)
    if len(_SIGNED) >= KEPT:
        _SIGNED.clear()
    _SIGNED[(key, who)] = (token, now + TTL_SECONDS / 2)
    return token


def verify(token: str | None, secret: str | None = None) -> Identity:
    if not token:
        raise Unauthorized("缺少内部身份凭证", code="IDENTITY_MISSING")
    key = secret or internal_secret()
    known = _VERIFIED.get(token)
    if known is not None and known[0] == key and time.time() < known[2]:
        return known[1]
    ident, expires = _verify(token, key)
    if len(_VERIFIED) >= KEPT:
        _VERIFIED.clear()
    _VERIFIED[token] = (key, ident, expires)
    return ident


def _verify(token: str, key: str) -> tuple[Identity, float]:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["HS256"],
            audience=AUDIENCE,
            options={"require": ["exp", "sub", "role"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("内部身份凭证已过期", code="IDENTITY_EXPIRED") from None
    except jwt.PyJWTError:
        raise Unauthorized("内部身份凭证无效", code="IDENTITY_INVALID") from None
    if claims["role"] not in (*ROLES, GATEWAY, MEMBER):
        raise Unauthorized("内部身份凭证无效", code="IDENTITY_INVALID")
    ident = Identity(
        user=claims["sub"],
        role=claims["role"],
        union_id=claims.get("union"),
        district_id=claims.get("district"),
        request_id=claims.get("rid") or "",
        member_id=claims.get("member") if claims["role"] == MEMBER else None,
    )
    return ident, float(claims["exp"])


def scoped(
    query: Select[T],
    who: Identity,
    *,
    union: ColumnElement[Any] | None = None,
    district: ColumnElement[Any] | None = None,
) -> Select[T]:
    """`query` narrowed to the caller's scope: a grassroots union to rows whose `union` column is
    its own, a district to rows whose `district` column is its own; the centre (and the gateway)
    unnarrowed. A role whose column is not given is not narrowed here: the endpoint's `roles(...)`
    admits it or not; a member is narrowed to nothing (their own rows are asked for by
    `member_id`). Services scope every query again behind the gateway (defence in depth)."""
    if who.role == MEMBER:
        return query.where(false())
    if who.role == "grassroots" and union is not None:
        return query.where(union == who.union_id)
    if who.role == "district" and district is not None:
        return query.where(district == who.district_id)
    return query
