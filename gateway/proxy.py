"""Forwarding `/api/v1/<service>/…` to the owning service with a signed internal identity.

Connections to the services are pooled, so one request left half-done on a connection would
break the next request that reuses it. Two rules keep the pool clean
(docs/decisions/0017-sessions-end-when-they-must.md, "Bodies and pooled connections"):
- a body over the service's limit is refused here (413) before a byte of it is read, never sent;
- a connection that may hold leftovers is closed instead of going back to the pool: after a
  request with a body that was refused (4xx/5xx: the service may have answered without reading
  it) or that was larger than a server drains on its own, and after a response that was not
  read to its end (the caller went away, the service broke off).

A forwarded request goes through urllib3 directly, on the same pools as `call_service`'s
requests session: requests' own per-call work (merging settings, preparing the request, building
its response) was ~15% of the gateway's CPU on a forwarded list page
(docs/decisions/0048-request-cost.md)."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlencode

import requests
import urllib3
from flask import Response, g, request
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from common import identity as internal
from common.config import SERVICES, service_url
from common.errors import NotFound, TooLarge, Unavailable
from common.web import AUDIT_SUBJECT_HEADER, MAX_SMALL_BODY_BYTES, MAX_UPLOAD_BYTES, is_small_body

_HOP_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
    "content-encoding",
    "content-length",
}
_PASS_RESPONSE = (
    "Content-Type",
    "Content-Disposition",
    "Cache-Control",
    "ETag",
    "Location",
    "X-Total-Count",
    "X-Document-Version",
    "X-Document-Withdrawn",
)
POOL_SIZE = 32  # open connections kept per service: at least the gateway's threads
BUFFER_LIMIT = 256 * 1024  # smaller answers are read whole and sent with their length
# A service's own endpoints for probes and Prometheus: never reachable from outside.
INTERNAL_PATHS = frozenset({"health", "ready", "metrics"})


def is_internal_path(path: str) -> bool:
    """`metrics`, `/metrics/`, `x/../metrics` … all name the service's own /metrics."""
    parts = [p for p in posixpath.normpath("/" + path).split("/") if p]
    return not parts or parts[0] in INTERNAL_PATHS


# The largest body each service accepts (its MAX_CONTENT_LENGTH): a larger one is refused here.
BODY_LIMITS = dict.fromkeys(SERVICES, MAX_UPLOAD_BYTES)
# A body a service did not read is drained by its server only up to a point (gunicorn: 64 KiB),
# past which the server closes the connection after answering: never reuse a connection after one.
REUSE_AFTER_BODY_UP_TO = 16 * 1024


class _Discarding:
    """A pool that closes, rather than keeps, a connection marked `discard` when it comes back
    (the next request opens a fresh one in its place)."""

    def _put_conn(self, conn):
        if conn is not None and getattr(conn, "discard", False):
            conn.discard = False
            conn.close()
        super()._put_conn(conn)


class DiscardingHTTPPool(_Discarding, HTTPConnectionPool):
    pass


class DiscardingHTTPSPool(_Discarding, HTTPSConnectionPool):
    pass


def _session() -> requests.Session:
    http = requests.Session()
    # Services are reached directly: no proxy or .netrc from the environment, which requests
    # would otherwise look up on every call.
    http.trust_env = False
    # Beyond POOL_SIZE, extra connections are opened and dropped rather than waited for.
    adapter = HTTPAdapter(pool_connections=len(SERVICES), pool_maxsize=POOL_SIZE)
    adapter.poolmanager.pool_classes_by_scheme = {"http": DiscardingHTTPPool, "https": DiscardingHTTPSPool}
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


class ServiceUnavailable(Unavailable):
    code = "SERVICE_UNAVAILABLE"
    message = "服务暂时不可用，请稍后重试"


class BodyTooLarge(TooLarge):
    code = "REQUEST_TOO_LARGE"

    def __init__(self, limit: int):
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        super().__init__(f"提交的内容过大，上限为 {size}，请减小后重试")


_http = _session()
# the pools behind `_http` (the same DiscardingHTTPPool per service), for forwarding
_pools = _http.get_adapter("http://").poolmanager
_FORWARD_TIMEOUT = urllib3.Timeout(connect=3, read=300)
_NO_RETRY = urllib3.Retry(0, read=False)  # as requests' HTTPAdapter: a failed call is not sent again


def call_service(service: str, method: str, path: str, ident: internal.Identity, **kwargs) -> requests.Response:
    """An internal call on behalf of `ident` (used by the proxy and by the gateway itself)."""
    headers = kwargs.pop("headers", {})
    headers[internal.HEADER] = internal.sign(ident)
    headers["X-Request-Id"] = ident.request_id
    try:
        return _http.request(
            method,
            f"{service_url(service)}/{path.lstrip('/')}",
            headers=headers,
            timeout=kwargs.pop("timeout", (3, 300)),
            **kwargs,
        )
    except requests.RequestException:
        raise ServiceUnavailable() from None


def request_body(service: str) -> bytes:
    """The caller's body, refused (413) before any of it is read when it is over the service's
    limit; a body of unknown length is read only up to the limit."""
    limit = MAX_SMALL_BODY_BYTES if is_small_body() else BODY_LIMITS[service]
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(limit)
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise BodyTooLarge(limit)
    return body


def forward(service: str, path: str, ident: internal.Identity) -> Response:
    if service not in SERVICES or is_internal_path(path):
        raise NotFound()
    body = request_body(service)
    headers = {internal.HEADER: internal.sign_reused(ident), "X-Request-Id": ident.request_id}
    for name in ("Content-Type", "Accept", "If-None-Match"):
        if name in request.headers:
            headers[name] = request.headers[name]
    url = f"{service_url(service)}/{path.lstrip('/')}"
    if request.args:  # re-encoded from what was parsed, as before: never the raw query string
        url += "?" + urlencode(request.args.to_dict(flat=False), doseq=True)
    try:
        upstream = _pools.urlopen(
            request.method,
            url,
            body=body or None,
            headers=headers,
            redirect=False,
            retries=_NO_RETRY,
            timeout=_FORWARD_TIMEOUT,
            preload_content=False,
        )
    except urllib3.exceptions.HTTPError:
        raise ServiceUnavailable() from None
    if body and (upstream.status >= 400 or len(body) > REUSE_AFTER_BODY_UP_TO):
        _discard(upstream)
    length = upstream.headers.get("Content-Length", "")
    if length.isdigit() and int(length) <= BUFFER_LIMIT:
        try:
            content = upstream.read(decode_content=True)
        except urllib3.exceptions.HTTPError:
            _discard(upstream)
            upstream.release_conn()
            raise ServiceUnavailable() from None
        upstream.release_conn()
        response = Response(content, status=upstream.status)
    else:  # large or of unknown length (downloads): stream it through
        response = Response(_stream(upstream), status=upstream.status)
    for name in _PASS_RESPONSE:
        if name in upstream.headers:  # never a control character in a header (a 500 at the server)
            response.headers[name] = "".join(ch for ch in upstream.headers[name] if 31 < ord(ch) != 127)
    # what the service says it acted on, for 操作日志 (not passed on to the caller)
    g.audit_subject = unquote(upstream.headers.get(AUDIT_SUBJECT_HEADER, ""))[:300] or None
    g.upstream_error_code = None
    return response


def _discard(upstream: urllib3.BaseHTTPResponse) -> None:
    """Close this answer's connection when it is released instead of pooling it."""
    connection = getattr(upstream, "connection", None)
    if connection is not None:
        connection.discard = True


def _stream(upstream: urllib3.BaseHTTPResponse):
    """The answer in chunks; if it is not read to its end (the caller went away, the service broke
    off), its connection is closed rather than pooled with the rest of the answer in it."""
    finished = False
    try:
        yield from upstream.stream(64 * 1024, decode_content=True)
        finished = True
    finally:
        if not finished:
            _discard(upstream)
        upstream.release_conn()
