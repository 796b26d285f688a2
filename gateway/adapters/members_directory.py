"""What the gateway asks the members service about the union directory, as the `gateway`
identity (it reads the directory to bind an account; it submits 组织注册 for an applicant who has
no account yet, docs/decisions/0036; it never acts for a logged-in person)."""

from __future__ import annotations

from common.identity import GATEWAY, Identity
from gateway.proxy import ServiceUnavailable, call_service


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


def scope_names(union_ids: set[int], district_ids: set[int], request_id: str) -> dict[tuple[str, int], str]:
    """{("union"|"district", id): name} for 操作日志's "who"; a name members cannot give (down,
    unknown) is left out and the record says the role instead."""
    names: dict[tuple[str, int], str] = {}
    ident = _as_gateway(request_id)
    try:
        if district_ids:
            response = call_service("members", "GET", "districts", ident, timeout=(2, 10))
            if response.ok:
                names.update({("district", d["id"]): d["name"] for d in response.json() if d["id"] in district_ids})
        for union_id in sorted(union_ids):
            response = call_service("members", "GET", f"unions/{union_id}", ident, timeout=(2, 10))
            if response.ok:
                names[("union", union_id)] = response.json()["name"]
    except Exception:  # noqa: BLE001 - the log still reads without the names
        pass
    return names


def districts(request_id: str) -> list[dict]:
    """[{id, name}] of every district, for the public 组织注册 form's choice."""
    response = call_service("members", "GET", "districts", _as_gateway(request_id), timeout=(2, 10))
    response.raise_for_status()
    return [{"id": d["id"], "name": d["name"]} for d in response.json()]


def _relayed(response) -> tuple[int, dict]:
    """Members' answer to a hand-over, as it is (its refusals carry their own codes and Chinese
    messages); a server error, or a body that is not an object, is the service unavailable."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 500 or not isinstance(body, dict):
        raise ServiceUnavailable()
    return response.status_code, body


def submit_registration(data: dict, request_id: str) -> tuple[int, dict]:
    """组织注册 handed to members, which owns applications: (its status, its body), relayed as
    they are (its refusals carry their own codes and Chinese messages)."""
    response = call_service("members", "POST", "registrations", _as_gateway(request_id), json=data, timeout=(2, 20))
    return _relayed(response)


def match_member(id_number: str, mobile: str, request_id: str) -> dict | None:
    """个人登录 (decision 0041): {member_id, union_id} of the member whose ID number and mobile on
    record are these (members compares their blind indexes), or None — asked the same way, and
    answered in the same shape, whether or not there is one."""
    response = call_service(
        "members",
        "POST",
        "sign-in/match",
        _as_gateway(request_id),
        json={"id_number": id_number, "mobile": mobile},
        timeout=(2, 10),
    )
    if response.status_code >= 500:
        raise ServiceUnavailable()
    response.raise_for_status()
    body = response.json()
    return body if body.get("member_id") else None


def submit_detail_change(member_id: int, address: str | None, mobile: str | None, request_id: str) -> tuple[int, dict]:
    """My details (decision 0047): the signed-in member's correction, its new mobile confirmed by
    code here, handed to members (which owns the roster) as the `gateway` identity: (its status,
    its body), relayed as they are (its refusals carry their own codes and Chinese messages)."""
    response = call_service(
        "members",
        "POST",
        "detail-changes",
        _as_gateway(request_id),
        json={"member_id": member_id, "address": address, "mobile": mobile},
        timeout=(2, 10),
    )
    return _relayed(response)
