"""Forwarding `/api/v1/<service>/…` to the owning service with a signed internal identity."""
from __future__ import annotations

import posixpath

import requests
from requests.adapters import HTTPAdapter
from flask import Response, g, request

from common import identity as internal
from common.config import SERVICES, service_url
from common.errors import NotFound, Unavailable

_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
                "proxy-authorization", "proxy-authenticate", "content-encoding", "content-length"}
_PASS_RESPONSE = ("Content-Type", "Content-Disposition", "Cache-Control", "ETag", "Location", "X-Total-Count",
                  "X-Document-Version")
POOL_SIZE = 32  # open connections kept per service: at least the gateway's threads
BUFFER_LIMIT = 256 * 1024  # smaller answers are read whole and sent with their length
# A service's own endpoints for probes and Prometheus: never reachable from outside.
INTERNAL_PATHS = frozenset({"health", "ready", "metrics"})


def is_internal_path(path: str) -> bool:
    """`metrics`, `/metrics/`, `x/../metrics` … all name the service's own /metrics."""
    parts = [p for p in posixpath.normpath("/" + path).split("/") if p]
    return not parts or parts[0] in INTERNAL_PATHS


def _session() -> requests.Session:
    http = requests.Session()
    # Services are reached directly: no proxy or .netrc from the environment, which requests
    # would otherwise look up on every call.
    http.trust_env = False
    # Beyond POOL_SIZE, extra connections are opened and dropped rather than waited for.
    adapter = HTTPAdapter(pool_connections=len(SERVICES), pool_maxsize=POOL_SIZE)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


class ServiceUnavailable(Unavailable):
    code = "SERVICE_UNAVAILABLE"
    message = "服务暂时不可用，请稍后重试"


_http = _session()


def call_service(service: str, method: str, path: str, ident: internal.Identity, **kwargs) -> requests.Response:
    """An internal call on behalf of `ident` (used by the proxy and by the gateway itself)."""
    headers = kwargs.pop("headers", {})
    headers[internal.HEADER] = internal.sign(ident)
    headers["X-Request-Id"] = ident.request_id
    try:
        return _http.request(method, f"{service_url(service)}/{path.lstrip('/')}", headers=headers,
                             timeout=kwargs.pop("timeout", (3, 300)), **kwargs)
    except requests.RequestException:
        raise ServiceUnavailable() from None


def forward(service: str, path: str, ident: internal.Identity) -> Response:
    if service not in SERVICES or is_internal_path(path):
        raise NotFound()
    headers = {}
    for name in ("Content-Type", "Accept", "If-None-Match"):
        if name in request.headers:
            headers[name] = request.headers[name]
    upstream = call_service(service, request.method, path, ident, params=request.args.to_dict(flat=False),
                            data=request.get_data(), headers=headers, stream=True, allow_redirects=False)
    length = upstream.headers.get("Content-Length", "")
    if length.isdigit() and int(length) <= BUFFER_LIMIT:
        try:
            body = upstream.content
        except requests.RequestException:
            raise ServiceUnavailable() from None
        response = Response(body, status=upstream.status_code)
    else:  # large or of unknown length (downloads): stream it through
        response = Response(upstream.iter_content(chunk_size=64 * 1024), status=upstream.status_code)
    for name in _PASS_RESPONSE:
        if name in upstream.headers:
            response.headers[name] = upstream.headers[name]
    g.upstream_error_code = None
    return response
