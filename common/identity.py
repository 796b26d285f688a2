"""The signed internal identity the gateway hands to services (header `X-Internal-Identity`).

A short-lived HS256 token: user, role, union, district, request id. Services refuse a request
without a valid one and scope every query by it again (defence in depth)."""

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


def verify(token: str | None, secret: str | None = None) -> Identity:
    if not token:
        raise Unauthorized("缺少内部身份凭证", code="IDENTITY_MISSING")
    try:
        claims = jwt.decode(
            token,
            secret or internal_secret(),
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
    return Identity(
        user=claims["sub"],
        role=claims["role"],
        union_id=claims.get("union"),
        district_id=claims.get("district"),
        request_id=claims.get("rid") or "",
        member_id=claims.get("member") if claims["role"] == MEMBER else None,
    )


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
