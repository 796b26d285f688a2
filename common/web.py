"""The Flask side of every service: app factory, identity check, errors as JSON, request ids,
`/health`, `/ready` and `/metrics` (common/metrics.py)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from copy import deepcopy
from dataclasses import replace
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import quote

import orjson
from flask import Flask, Response, current_app, g, jsonify, make_response, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest import Api
from sqlalchemy import text
from sqlalchemy.exc import DataError, DBAPIError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.sansio.response import Response as SansioResponse

from common import api_docs, clock, identity, logs, metrics
from common.bus import ping
from common.config import BusSettings
from common.db import UnitOfWork
from common.errors import (
    AppError,
    Conflict,
    Forbidden,
    NotFound,
    Rejected,
    Throttled,
    TooLarge,
    Unauthorized,
    Unavailable,
)
from common.runtime import ServiceRuntime

log = logging.getLogger("http")
View = TypeVar("View", bound=Callable[..., Any])
OPEN_PATHS = ("/health", "/ready", "/openapi.json", "/metrics")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A JSON or form body is a few fields, never a file: it has a small limit of its own, so that a
# 5 MB body is refused (413) before any of it is parsed (issue 23). Files come as multipart.
MAX_SMALL_BODY_BYTES = 256 * 1024
SMALL_BODIES = ("application/json", "application/x-www-form-urlencoded")

_HTTP_CODES = {
    400: ("BAD_REQUEST", "请求有误"),
    401: ("UNAUTHENTICATED", "请先登录"),
    403: ("FORBIDDEN", "无权进行此操作"),
    404: ("NOT_FOUND", "未找到该记录"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方法"),
    409: ("CONFLICT", "与现有数据冲突"),
    413: ("TOO_LARGE", "上传的内容过大"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "不支持的内容类型"),
    422: ("VALIDATION_FAILED", "提交的数据有误，请按提示修改"),
    429: ("TOO_MANY_REQUESTS", "请求过于频繁，请稍后再试"),
}


# Domain errors → HTTP, in one place (the most specific kind first).
ERROR_STATUS = (
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (Rejected, 422),
    (Throttled, 429),
    (Unavailable, 503),
)


def status_of(exc: AppError) -> int:
    return next((status for kind, status in ERROR_STATUS if isinstance(exc, kind)), 400)


def is_small_body() -> bool:
    return request.mimetype in SMALL_BODIES or request.is_json


def limit_small_bodies() -> None:
    """Before a request's body is read: a JSON or form body over MAX_SMALL_BODY_BYTES is refused
    at once when its length is declared, and read no further than the limit when it is not."""
    if not is_small_body():
        return
    request.max_content_length = MAX_SMALL_BODY_BYTES
    if request.content_length is not None and request.content_length > MAX_SMALL_BODY_BYTES:
        raise TooLarge(
            f"提交的内容过大：JSON 或表单内容不得超过 {MAX_SMALL_BODY_BYTES // 1024} KB（文件请以上传方式提交）",
            code="REQUEST_TOO_LARGE",
        )


def error_response(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    body = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return jsonify({"error": body}), status


def _http_error(exc: HTTPException) -> tuple[Response, int]:
    status = exc.code or 500
    code, message = _HTTP_CODES.get(status, ("HTTP_ERROR", "请求无法处理"))
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if messages:
        # webargs: {"json": {"field": ["msg"]}} — flatten the location away
        fields: dict[str, Any] = {}
        for location, errs in messages.items():
            if isinstance(errs, dict):
                fields.update(errs)
            else:
                fields[location] = errs
        if status == 400 and "json" in messages and not isinstance(messages["json"], dict):
            return error_response(400, "MALFORMED_JSON", "请求内容不是有效的 JSON")
        if "_schema" in fields and fields["_schema"] == ["数据格式不正确，应为 JSON 对象"]:
            return error_response(422, "VALIDATION_FAILED", "请求内容应为 JSON 对象", fields=fields)
        return error_response(422 if status == 400 else status, "VALIDATION_FAILED", message, fields=fields)
    return error_response(status, code, message)


class ErrorDocumentedApi(Api):  # type: ignore[misc]  # flask-smorest ships no types
    """flask-smorest documenting errors with the body they really have (common/api_docs.Error),
    not its own `{code: int, status, errors}`."""

    ERROR_SCHEMA = api_docs.Error


class BoundedIntegerConverter(IntegerConverter):
    """`<int:id>` in every route: an id beyond a 32-bit key cannot exist, so it answers 404
    like any other missing thing instead of reaching the database."""

    def __init__(
        self,
        map: Any,  # noqa: A002 - werkzeug passes its converter arguments by these names
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = 2_147_483_647,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bound_route_integers(app: Flask) -> None:
    """Call before registering blueprints."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DataError)
    def _data_error(exc: DataError) -> tuple[Response, int]:
        # The database refused a value a user sent (a number out of range, a date beyond the
        # calendar): their input, not our fault — say so, never a 500.
        log.info("value refused by the database", extra={"error": str(exc.orig)[:200]})
        return error_response(422, "VALUE_OUT_OF_RANGE", "提交的数值超出允许范围，请检查后重试")

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError) -> tuple[Response, int]:
        # A pooled connection the database dropped (a restart, a failover) fails its one statement
        # and the pool starts afresh (common/db.py): the person is told to retry, not that we broke.
        if exc.connection_invalidated:
            log.warning("database connection lost", extra={"error": str(exc.orig)[:200]})
            return error_response(503, "SERVICE_UNAVAILABLE", "服务暂时不可用，请稍后重试")
        return _unexpected(exc)

    @app.errorhandler(OverflowError)
    def _overflow(_exc: OverflowError) -> tuple[Response, int]:
        return error_response(422, "VALUE_OUT_OF_RANGE", "提交的数值超出允许范围，请检查后重试")

    @app.errorhandler(AppError)
    def _app_error(exc: AppError) -> tuple[Response, int]:
        return jsonify(exc.to_dict()), status_of(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response, int]:
        return _http_error(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        log.exception("unexpected error")
        return error_response(500, "INTERNAL_ERROR", "系统内部错误，请稍后重试；如持续出现请联系管理员")


class JSONProvider(DefaultJSONProvider):
    """Answers without a schema follow the same rule as schema fields: a moment is ISO 8601 in
    Asia/Shanghai with its offset (never Flask's RFC 822 default, never naive), a day is YYYY-MM-DD."""

    ensure_ascii = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, datetime):
            return clock.shanghai(o).isoformat()
        if isinstance(o, date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)

    def response(self, *args: Any, **kwargs: Any) -> SansioResponse:
        """The same JSON as Flask's compact answer (keys sorted, UTF-8, one newline), encoded by
        orjson: a 50-row list page cost ~0.3 ms in the stdlib encoder (decision 0048). Moments and
        days still go through `default`; anything orjson will not take (an integer past 64 bits,
        a type only `default` knows) falls back to Flask's own encoder, so no answer changes."""
        if (self._app.debug and self.compact is None) or self.compact is False:
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            return super().response(*args, **kwargs)
        app: Any = self._app  # a Flask app: its response_class takes the body
        answer: SansioResponse = app.response_class(body + b"\n", mimetype=self.mimetype)
        return answer


_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)


def create_service_app(runtime: ServiceRuntime, blueprints: list[Any], title: str, description: str = "") -> Flask:
    logs.setup(runtime.name)
    app = Flask(runtime.name)
    app.config.update(
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        JSON_AS_ASCII=False,
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {
                "securitySchemes": {"internalIdentity": {"type": "apiKey", "in": "header", "name": identity.HEADER}}
            },
            "security": [{"internalIdentity": []}],
        },
    )
    app.json = JSONProvider(app)
    app.extensions["runtime"] = runtime
    bound_route_integers(app)
    api = ErrorDocumentedApi(app)
    for bp in blueprints:
        api.register_blueprint(bp)
    register_error_handlers(app)
    # Services are reached only through the gateway, which never forwards /metrics
    # (gateway/proxy.py); Prometheus scrapes each service's own address.
    metrics.instrument(app, runtime.name, collectors=[metrics.ServiceStateCollector(runtime)])

    @app.before_request
    def _identify() -> None:
        g.started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        limit_small_bodies()
        if request.path in OPEN_PATHS:
            return None
        ident = identity.verify(request.headers.get(identity.HEADER))
        if not ident.request_id:  # a reused token (identity.sign_reused): this request's own id
            ident = replace(ident, request_id=g.request_id)
        g.identity = ident
        return None

    @app.after_request
    def _log(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if g.get("audit_subject"):
            response.headers[AUDIT_SUBJECT_HEADER] = quote(g.audit_subject[:200])
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
                "user": getattr(g.get("identity"), "user", None),
            },
        )
        return response

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "service": runtime.name}

    @app.get("/ready")
    def ready() -> tuple[dict[str, Any], int]:
        """503 when the database does not answer, or when the relay has been failing to publish
        this service's events for longer than RELAY_UNREADY_AFTER (60 s), as the outbox shows.
        The broker itself is reported, not required: a broker blip delays events but never
        stops the service taking requests (they only write the outbox)."""
        checks: dict[str, str] = {}
        ok = True
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["database"] = f"unavailable: {type(exc).__name__}"
            ok = False
        if ok and runtime.messaging is not None:
            try:
                state = metrics.outbox_state(runtime)
                if metrics.relay_stuck(state):
                    checks["relay"] = (
                        f"failing to publish for over {metrics.relay_unready_after():g} s "
                        f"({state['unsent']} unsent, oldest {state['oldest_age']:.0f} s): "
                        f"{(state['last_error'] or '')[:200]}"
                    )
                    ok = False
                else:
                    checks["relay"] = "ok"
            except Exception as exc:  # noqa: BLE001
                checks["relay"] = f"unknown: {type(exc).__name__}"
        try:
            ping(BusSettings())
            checks["bus"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["bus"] = f"unavailable: {type(exc).__name__}"
        return {"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503

    return app


AUDIT_SUBJECT_HEADER = "X-Audit-Subject"


def audit_subject(words: str) -> None:
    """Name, in words, what this request acted on (会员 张三（3101**********1234）, 批次 CB…): the
    gateway writes it into 操作日志 instead of a path or an id. Sent percent-encoded (headers are
    Latin-1); never a full ID number."""
    g.audit_subject = words


def current_identity() -> identity.Identity:
    ident = g.get("identity")
    if not isinstance(ident, identity.Identity):  # the gateway's anonymous caller: services refuse earlier
        raise Unauthorized("请先登录", code="UNAUTHENTICATED")
    return ident


def uow() -> UnitOfWork:
    """The unit of work of the app's own service (its runtime, set by its app factory)."""
    runtime: ServiceRuntime = current_app.extensions["runtime"]
    return runtime.uow()


def no_store(func: View) -> View:
    """For an answer that may carry a full ID number or mobile: no browser or proxy keeps a copy."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        response = make_response(func(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return cast(View, wrapper)


def roles(*allowed: str) -> Callable[[View], View]:
    """Declare (and enforce) which roles may call an endpoint.

    The service refuses other roles with 403, and the list is published in the OpenAPI
    document as `x-roles`, from which the gateway enforces the same rule before forwarding.
    Scope (which union or district) is checked by the handlers, answering 404 outside it."""

    def decorator(func: View) -> View:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            current_identity().require(*allowed)
            return func(*args, **kwargs)

        # flask-smorest reads an operation's documentation from `_apidoc` on the view function
        apidoc: dict[str, Any] = deepcopy(getattr(func, "_apidoc", {}))
        apidoc.setdefault("manual_doc", {})["x-roles"] = list(allowed)
        setattr(wrapper, "_apidoc", apidoc)  # noqa: B010 - an attribute mypy cannot know
        return cast(View, wrapper)

    return decorator
