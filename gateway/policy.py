"""Role check at the gateway, before forwarding: each service publishes, per operation, the roles
that may call it (`x-roles` in its OpenAPI document); the gateway refuses the others with 403.
The service checks the same list again, and checks scope itself."""

from __future__ import annotations

import re
import time

from common import identity as internal
from common.errors import Forbidden
from gateway.proxy import call_service

_CACHE: dict[str, tuple[float, list]] = {}
TTL_SECONDS = 60


def _operations(service: str, request_id: str) -> list:
    cached = _CACHE.get(service)
    if cached and time.monotonic() - cached[0] < TTL_SECONDS:
        return cached[1]
    ident = internal.Identity(user="gateway", role=internal.GATEWAY, request_id=request_id)
    try:
        spec = call_service(service, "GET", "openapi.json", ident, timeout=(2, 5)).json()
    except Exception:  # noqa: BLE001 - the service will refuse on its own
        return []
    ops = operations_of(spec)
    _CACHE[service] = (time.monotonic(), ops)
    return ops


def operations_of(spec: dict) -> list:
    """(METHOD, path regex, roles) for every operation that declares x-roles; a path with fewer
    parameters first, so that `/certificates/mine/{year}/file` is judged by its own roles and not
    by `/certificates/{member_id}/{year}/file`'s, as the service's own router would choose."""
    ops = []
    for path, item in sorted(spec.get("paths", {}).items(), key=lambda kv: kv[0].count("{")):
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")
        for method, op in item.items():
            if isinstance(op, dict) and "x-roles" in op:
                ops.append((method.upper(), pattern, tuple(op["x-roles"])))
    return ops


def allowed_roles(operations: list, method: str, path: str) -> tuple | None:
    """The roles an operation admits, or None when the service does not declare it."""
    for op_method, pattern, allowed in operations:
        if op_method == method and pattern.match("/" + path.lstrip("/")):
            return allowed
    return None


def check(service: str, method: str, path: str, role: str, request_id: str) -> None:
    allowed = allowed_roles(_operations(service, request_id), method, path)
    if allowed is not None and role not in allowed:
        raise Forbidden()
    if allowed is None and role == internal.MEMBER:
        raise Forbidden()  # a member reaches only what names them (decision 0041): nothing undeclared


def member_may(allowed: tuple | None) -> bool:
    """A member (个人登录) may call an operation only when it names the role; the services then
    answer only about the member's own `member_id` (docs/decisions/0041-member-sign-in.md)."""
    return allowed is not None and internal.MEMBER in allowed
