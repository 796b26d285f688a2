"""The e-mail addresses of the accounts of an audience, as the gateway (their owner) says them."""

from __future__ import annotations

import requests

from common import identity
from services.notifications import settings

_http = requests.Session()
_http.trust_env = False


def addresses(scopes: dict[str, set[int]], timeout: float = 10) -> dict[tuple[str, int], list[str]]:
    """{(audience, id): [addresses]} for every asked scope; raises when the gateway does not
    answer (the mail then waits for the next run)."""
    params = [(audience, str(i)) for audience, ids in scopes.items() for i in sorted(ids)]
    if not params:
        return {}
    token = identity.sign(identity.Identity(user="notifications", role="centre", request_id="mail"))
    response = _http.get(
        f"{settings.load().gateway_url}/internal/v1/recipients",
        params=params,
        headers={identity.HEADER: token},
        timeout=timeout,
    )
    response.raise_for_status()
    out = {}
    for audience, found in response.json().items():
        for key, emails in found.items():
            out[(audience, int(key))] = list(emails)
    return out
