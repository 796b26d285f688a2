"""What the gateway asks the members service about the union directory, as the `gateway`
identity (it reads the directory to bind an account; it never acts for a person)."""
from __future__ import annotations

from common.identity import GATEWAY, Identity
from gateway.proxy import call_service


def _as_gateway(request_id: str) -> Identity:
    return Identity(user="gateway", role=GATEWAY, request_id=request_id)


def union_district(union_id: int, request_id: str) -> int | None:
    """The district of a registered grassroots union, or None when members does not know it."""
    response = call_service("members", "GET", f"unions/{union_id}", _as_gateway(request_id), timeout=(2, 10))
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return response.json()["district_id"]


def district_exists(district_id: int, request_id: str) -> bool:
    response = call_service("members", "GET", "districts", _as_gateway(request_id), timeout=(2, 10))
    response.raise_for_status()
    return district_id in {d["id"] for d in response.json()}
