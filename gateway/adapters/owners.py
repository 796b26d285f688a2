"""What the gateway asks the owners of a district's union facts, on behalf of the district that
asks (its own identity: each owner scopes the answer again), for the 基层工会 page: enrollment
(the unions with this year's submissions and billing's figures, paged) and members (which came
in through 组织注册). Every question is bounded: a page, or at most 200 named unions."""

from __future__ import annotations

from typing import Any

from common.errors import AppError, Forbidden, NotFound, ValidationFailed
from common.identity import Identity
from gateway.proxy import ServiceUnavailable, call_service

MAX_IDS = 200


def _answer(response) -> Any:
    """The owner's answer, or its refusal relayed with its own code and Chinese message."""
    if response.ok:
        return response.json()
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    message, code = error.get("message"), error.get("code")
    if response.status_code == 422:
        raise ValidationFailed(error.get("fields") or {}, message, code)
    if response.status_code == 404:
        raise NotFound(message, code)
    if response.status_code == 403:
        raise Forbidden(message, code)
    if 400 <= response.status_code < 500:
        raise AppError(message, code)
    raise ServiceUnavailable()


def district_unions(who: Identity, cover_year: int, **params: Any) -> dict:
    """enrollment: {total, counts, items} — one page of the district's unions and their year."""
    query = {k: v for k, v in params.items() if v is not None}
    if "union_ids" in query:
        query["union_ids"] = ",".join(str(i) for i in query["union_ids"][:MAX_IDS])
    response = call_service(
        "enrollment", "GET", f"cover-years/{cover_year}/district-unions", who, params=query, timeout=(2, 30)
    )
    return _answer(response)


def registration_origins(who: Identity, union_ids: list[int]) -> dict[int, dict]:
    """members: {union_id: {registration_no, approved_at}} for the unions that came in through 组织注册."""
    if not union_ids:
        return {}
    response = call_service(
        "members",
        "GET",
        "unions/origins",
        who,
        params={"union_ids": ",".join(str(i) for i in union_ids[:MAX_IDS])},
        timeout=(2, 30),
    )
    return {o["union_id"]: o for o in _answer(response)}
