"""Consumed events read into typed facts: field readers that say which field is wrong, and the
decorator that dead-letters an event whose data breaks its contract.

A service's facts module (documents' domain/facts.py, billing's and enrollment's) builds frozen
values with these readers; its consumer handlers are wrapped in `consumes`, so a malformed event
(which can never succeed) goes to the dead-letter queue with its reason, and nothing of it is
written (the transaction rolls back)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar

from common.clock import SHANGHAI


class MalformedEvent(ValueError):
    """An event whose data breaks its contract; the message names the field."""


# ------------------------------------------------------------------ field readers


def field(data: dict[str, Any], key: str) -> Any:
    if not isinstance(data, dict):
        raise MalformedEvent("data is not an object")
    if key not in data or data[key] is None:
        raise MalformedEvent(f"{key}: missing")
    return data[key]


def integer(data: dict[str, Any], key: str, minimum: int = 0) -> int:
    value = field(data, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEvent(f"{key}: not an integer ({value!r})")
    if value < minimum:
        raise MalformedEvent(f"{key}: below {minimum} ({value})")
    return value


def optional_integer(data: dict[str, Any], key: str) -> int | None:
    return None if data.get(key) is None else integer(data, key)


def text(data: dict[str, Any], key: str) -> str:
    value = field(data, key)
    if not isinstance(value, str) or not value.strip():
        raise MalformedEvent(f"{key}: not a non-empty string")
    return value.strip()


def choice(data: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value = field(data, key)
    if value not in allowed:
        raise MalformedEvent(f"{key}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def day(data: dict[str, Any], key: str) -> date:
    value = field(data, key)
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise MalformedEvent(f"{key}: not a date YYYY-MM-DD ({value!r})") from None


def optional_day(data: dict[str, Any], key: str) -> date | None:
    return None if data.get(key) is None else day(data, key)


def window_end(data: dict[str, Any], key: str) -> date:
    value = field(data, key)
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise MalformedEvent(f"{key}: not a [start, end] pair")
    start, end = (day({key: v}, key) for v in value)
    if end < start:
        raise MalformedEvent(f"{key}: ends before it starts")
    return end


def moment(data: dict[str, Any], key: str) -> datetime:
    value = field(data, key)
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise MalformedEvent(f"{key}: not an ISO 8601 time ({value!r})") from None
    if moment.tzinfo is None:
        raise MalformedEvent(f"{key}: time without a zone ({value!r})")
    return moment.astimezone(SHANGHAI)


def counts(data: dict[str, Any], key: str, keys: tuple[str, ...] | None = None) -> dict[str, int]:
    value = field(data, key)
    if not isinstance(value, dict):
        raise MalformedEvent(f"{key}: not an object")
    out = {}
    for k, _n in value.items():
        if keys is not None and k not in keys:
            raise MalformedEvent(f"{key}: unknown key {k!r}")
        out[k] = integer(value, k)
    return out


H = TypeVar("H", bound=Callable[..., None])


def registered_unions(data: dict[str, Any]) -> list[dict[str, Any]]:
    """members.unions.registered (schema 1, a bulk load's; decision 0039): its `unions`, each as
    members.union.registered's data — the rows every directory read model upserts at once."""
    unions = field(data, "unions")
    if not isinstance(unions, list):
        raise MalformedEvent("unions: not a list")
    rows = []
    for u in unions:
        if not isinstance(u, dict):
            raise MalformedEvent("unions: an item is not an object")
        rows.append(
            {
                "union_id": integer(u, "union_id", 1),
                **{k: text(u, k) for k in ("name", "credit_code", "contact_person", "phone")},
                "district_id": integer(u, "district_id", 1),
                "version": integer(u, "version", 1),
            }
        )
    return rows


def consumes(handler: H) -> H:
    """A consumer handler whose malformed event is a PermanentFailure naming the event and field."""
    from common.bus import PermanentFailure  # the handlers' concern, not the readers' (domain/ imports those)

    @wraps(handler)
    def wrapper(uow: Any, event: dict[str, Any]) -> None:
        try:
            handler(uow, event)
        except MalformedEvent as exc:
            raise PermanentFailure(f"{event.get('type')} {event.get('id')}: {exc}") from exc

    return wrapper  # type: ignore[return-value]
