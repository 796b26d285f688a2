"""What the gateway asks the documents service about a 参保凭证, as the `gateway` identity: the
public verification page has no caller to act for (docs/decisions/0042-cover-certificates.md)."""

from __future__ import annotations

from urllib.parse import quote

from common.identity import GATEWAY, Identity
from gateway.proxy import ServiceUnavailable, call_service


def verify(code: str, request_id: str) -> dict:
    """Documents' answer for a code: {found, …} (see its /certificates/verification/{code})."""
    ident = Identity(user="gateway", role=GATEWAY, request_id=request_id)
    response = call_service(
        "documents", "GET", f"certificates/verification/{quote(code, safe='')}", ident, timeout=(2, 10)
    )
    if response.status_code != 200:
        raise ServiceUnavailable()
    return response.json()
