"""The gateway: the only door from outside. It authenticates (cookie or bearer), signs the
caller's identity for the services, forwards `/api/v1/<service>/…`, audits every change, and
serves one OpenAPI document and the web pages."""
from __future__ import annotations

import os
import time
import uuid

from flask import Flask, g, jsonify, request
from flask_smorest import Api
from sqlalchemy import text

from common import logs, metrics
from common.config import SERVICES
from common.web import JSONProvider, bound_route_integers, register_error_handlers
from gateway import auth, openapi, pages, policy, proxy
from gateway.api import accounts, internal, sessions
from gateway.api import auth as auth_api
from gateway.app_state import close_db_session, db_session
from gateway.handlers import audit

CHANGING = ("POST", "PUT", "PATCH", "DELETE")


# Pages run only the gateway's own static scripts and styles: no inline script, handler or style
# attribute (every page's code is a file under gateway/static), so an injected one never runs.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def create_app() -> Flask:
    logs.setup("gateway")
    app = Flask("gateway", template_folder="templates", static_folder="static")
    app.config.update(
        API_TITLE="gateway 网关", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="gateway-openapi.json",
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        COOKIE_SECURE=os.environ.get("COOKIE_SECURE", "1") not in ("0", "false", "no"),
    )
    app.json = JSONProvider(app)
    bound_route_integers(app)
    api = Api(app)
    api.register_blueprint(auth_api.blp)
    api.register_blueprint(accounts.blp)
    api.register_blueprint(sessions.blp)
    register_error_handlers(app)
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
        if request.path.startswith(("/static/", internal.PREFIX)) or request.path in ("/health", "/ready", "/metrics", "/favicon.ico"):
            return None
        g.caller = auth.authenticate(db_session)
        if "db" in g:  # the credential was checked: end that transaction (and its last-seen
            g.db.commit()  # stamp), never hold the database across a forwarded call
        return None

    @app.after_request
    def _audit(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.method in CHANGING:
            caller = g.get("caller")
            account = caller.account if caller else g.get("audit_user")
            username = account.username if account else _attempted_username()
            audit.record(db_session(), username, getattr(account, "role", None), getattr(account, "union_id", None),
                            getattr(account, "district_id", None), f"{request.method} {request.path}",
                            response.status_code, g.get("request_id", ""), request.remote_addr or "")
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


def _attempted_username() -> str | None:
    if request.path == "/api/v1/auth/login":
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get("username"), str):
            return body["username"][:64]
    if request.path == "/login":
        return (request.form.get("username") or "")[:64] or None
    return None
