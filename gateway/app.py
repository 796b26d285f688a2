"""The gateway: the only door from outside. It authenticates (cookie or bearer), signs the
caller's identity for the services, forwards `/api/v1/<service>/…`, audits every change, and
serves one OpenAPI document and the web pages."""

from __future__ import annotations

import time
import uuid

from flask import Flask, g, jsonify, request
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from common import logs, metrics
from common.config import SERVICES
from common.web import (
    ErrorDocumentedApi,
    JSONProvider,
    bound_route_integers,
    is_small_body,
    limit_small_bodies,
    register_error_handlers,
)
from gateway import auth, openapi, pages, policy, proxy, settings
from gateway.api import (
    accounts,
    district_unions,
    internal,
    member_auth,
    member_details,
    password_links,
    registrations,
    sessions,
)
from gateway.api import auth as auth_api
from gateway.api import clerks as clerks_api
from gateway.app_state import close_db_session, db_session
from gateway.bootstrap import runtime
from gateway.handlers import audit, member_sign_in

CHANGING = ("POST", "PUT", "PATCH", "DELETE")


# Pages run only the gateway's own static scripts and styles: no inline script, handler or style
# attribute (every page's code is a file under gateway/static), so an injected one never runs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


# A file the API answers `inline` (a voucher's PDF, ?inline=true) is shown in a frame of the
# gateway's own pages: only such an answer may be framed, and only by this origin.
FRAMED_FILE_POLICY = "default-src 'none'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'"


def _shown_in_a_page(response) -> bool:
    return (
        request.path.startswith("/api/v1/")
        and response.mimetype in ("application/pdf", "image/png", "image/jpeg")
        and response.headers.get("Content-Disposition", "").startswith("inline")
    )


def create_app() -> Flask:
    logs.setup("gateway")
    app = Flask("gateway", template_folder="templates", static_folder="static")
    app.config.update(
        API_TITLE="gateway 网关",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="gateway-openapi.json",
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        COOKIE_SECURE=settings.load().cookie_secure,
    )
    app.json = JSONProvider(app)
    app.extensions["runtime"] = runtime  # common.web.uow(): the gateway's unit of work
    bound_route_integers(app)
    api = ErrorDocumentedApi(app)
    api.register_blueprint(auth_api.blp)
    api.register_blueprint(accounts.blp)
    api.register_blueprint(sessions.blp)
    api.register_blueprint(password_links.blp)
    api.register_blueprint(registrations.blp)
    api.register_blueprint(member_auth.blp)  # 个人登录 (decision 0041)
    api.register_blueprint(member_details.blp)  # my details: /api/v1/me/… (decision 0047)
    api.register_blueprint(clerks_api.blp)
    api.register_blueprint(district_unions.blp)
    register_error_handlers(app)

    @app.errorhandler(auth.AddressSlowedDown)
    def _slowed_down(exc: auth.AddressSlowedDown):
        response = jsonify(exc.to_dict())
        response.status_code = 429
        response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response

    app.register_error_handler(member_sign_in.CodeThrottled, _slowed_down)  # Retry-After too
    app.teardown_appcontext(close_db_session)
    pages.register(app)
    app.register_blueprint(internal.bp)  # services only: a signed internal identity, never a login
    # The gateway's own /metrics: loopback only, or with METRICS_TOKEN (docs/operations.md).
    # The services' /metrics are never forwarded (gateway/proxy.py).
    metrics.instrument(app, "gateway", guard=metrics.metrics_token_allows, known_services=SERVICES)

    @app.before_request
    def _who():
        g.started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        g.caller = None
        limit_small_bodies()
        if request.path.startswith(("/static/", internal.PREFIX)) or request.path in (
            "/health",
            "/ready",
            "/metrics",
            "/favicon.ico",
            auth.REFRESH_PATH,  # its credential is the refresh token in the body, not the header
        ):
            return None
        g.caller = auth.authenticate(db_session)
        # who asks, as the services see it: common.web.roles() checks the role on it
        g.identity = g.caller.identity(g.request_id) if g.caller else None
        if "db" in g:  # the credential was checked: end that transaction (and its last-seen
            g.db.commit()  # stamp), never hold the database across a forwarded call
        return None

    @app.after_request
    def _audit(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if _shown_in_a_page(response):
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
            response.headers["Content-Security-Policy"] = FRAMED_FILE_POLICY
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.method in CHANGING:
            caller = g.get("caller")
            account = caller.account if caller else g.get("audit_user")
            username = account.username if account else _attempted_username()
            if "db" in g:  # anything the request left uncommitted is not audited as done
                g.db.rollback()
            with runtime.uow() as work:
                audit.record(
                    work,
                    username,
                    getattr(account, "role", None),
                    getattr(account, "union_id", None),
                    getattr(account, "district_id", None),
                    f"{request.method} {request.path}",
                    response.status_code,
                    g.get("request_id", ""),
                    request.remote_addr or "",
                    subject=g.get("audit_subject"),
                    reason=_refusal_reason(response),
                )
        return response

    @app.route("/api/v1/<service>/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def _forward(service, path):
        caller = auth.current_caller()
        if service in proxy.SERVICES:
            policy.check(service, request.method, path, caller.account.role, g.request_id)
        return proxy.forward(service, path, caller.identity(g.request_id))

    @app.get("/api/v1/openapi.json")
    def _openapi():
        return jsonify(openapi.aggregate(api.spec.to_dict(), g.request_id))

    @app.get("/health")
    def _health():
        return {"status": "ok", "service": "gateway"}

    @app.get("/ready")
    def _ready():
        try:
            db_session().execute(text("SELECT 1"))
            return {"status": "ok"}
        except Exception as exc:  # noqa: BLE001
            return {"status": "unavailable", "database": type(exc).__name__}, 503

    return app


def _refusal_reason(response) -> str | None:
    """The message a refused or failed request showed the person (the error body's `message`, or
    what a page form said), for 操作日志; a streamed answer is never read here."""
    if response.status_code < 400:
        return None
    if g.get("audit_reason"):
        return g.audit_reason
    if response.is_streamed or response.mimetype != "application/json":
        return None
    body = response.get_json(silent=True)
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None


def _attempted_username() -> str | None:
    """The name a failed login tried, for its audit record. Read only from a body the login could
    read itself: one over the small-body limit (refused 413) is never read, and nothing its
    reading raises may turn the refusal into a 500 (issue 23) — the record is kept without a name."""
    if request.path not in ("/api/v1/auth/login", "/login") or not is_small_body():
        return None
    try:
        if request.path == "/api/v1/auth/login":
            body = request.get_json(silent=True)
            if isinstance(body, dict) and isinstance(body.get("username"), str):
                return body["username"][:64]
            return None
        return (request.form.get("username") or "")[:64] or None
    except HTTPException:  # too large, or cut short: the login was refused for that already
        return None
