"""What the OpenAPI documents say that the marshmallow schemas of the answers cannot: the one body
every error has (`{"error": {"code", "message", …}}`, common/errors.py and common/web.py), which
error statuses each operation can answer, and downloads (binary answers and their media types).

Services declare the little that cannot be derived (`@downloads(...)`, `@answers(429)`); the
gateway's aggregated document (gateway/openapi.py) then gives every operation its error statuses
with `document_errors`, so one place decides what a reader and a fuzzer are told."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar

from marshmallow import INCLUDE, Schema, fields

View = TypeVar("View", bound=Callable[..., Any])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


class ErrorRow(Schema):
    """One wrong row of an uploaded file (members' uploads): where, what the cell held, what to do."""

    class Meta:
        unknown = INCLUDE

    row = fields.Integer(metadata={"description": "the row number as Excel shows it"})
    column = fields.String(metadata={"description": "the column's header, e.g. 证件号码"})
    value = fields.String(allow_none=True, metadata={"description": "what the cell held (ID numbers masked)"})
    message = fields.String(metadata={"description": "what is wrong and how to fix it"})
    name = fields.String(allow_none=True, metadata={"description": "the row's 姓名, to find it"})
    id_number = fields.String(allow_none=True, metadata={"description": "the row's ID number, masked"})


class ErrorWindow(Schema):
    action = fields.String()
    start = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    end = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})


class ErrorDetail(Schema):
    """`code` and `message` always; the rest only where the error has them. Other members an
    error may carry (e.g. `used`, `asked`, `allowance`, `resets_on` of ID_LOOKUP_QUOTA_EXCEEDED;
    `submission_ids`, `blocking_count` of SPLIT_LOCKED_BY_SUBMISSIONS; `ids`) are allowed."""

    class Meta:
        unknown = INCLUDE

    code = fields.String(
        required=True,
        metadata={"description": "stable, for programs: VALIDATION_FAILED, NOT_FOUND, OUTSIDE_WINDOW, ROWS_INVALID …"},
    )
    message = fields.String(required=True, metadata={"description": "为人阅读的中文说明"})
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": 'per request field, its messages: {"credit_code": ["…"]} (nested for nested fields)'},
    )
    rows = fields.List(
        fields.Nested(ErrorRow),
        metadata={"description": "an upload's wrong rows, the first ≤ 100 in row order (error_count: all of them)"},
    )
    error_count = fields.Integer(metadata={"description": "how many wrong rows the file had"})
    job_id = fields.Integer(allow_none=True, metadata={"description": "the refused upload's job"})
    errors_path = fields.String(allow_none=True, metadata={"description": "page through every wrong row"})
    errors_download_path = fields.String(allow_none=True, metadata={"description": "every wrong row as .xlsx"})
    window = fields.Nested(ErrorWindow, metadata={"description": "OUTSIDE_WINDOW: the window of the action"})


class Error(Schema):
    """The body of every error answer, whichever service or the gateway gave it."""

    error = fields.Nested(ErrorDetail, required=True)


# What each status means here, with its usual codes: the description of its documented answer.
STATUS_TEXT = {
    400: "Malformed request: a body that is not JSON (MALFORMED_JSON) or a broken multipart form (BAD_REQUEST).",
    401: "Not logged in, or the token or session has expired or ended (UNAUTHENTICATED, TOKEN_EXPIRED, "
    "TOKEN_INVALID, TOKEN_REVOKED; LOGIN_FAILED on login; REFRESH_INVALID, REFRESH_REUSED, REFRESH_ENDED "
    "on refresh).",
    403: "The caller's role may not do this (FORBIDDEN), or a browser change without its CSRF token (CSRF_FAILED).",
    404: "Missing — or outside the caller's scope, answered exactly alike, wherever the id appears (NOT_FOUND "
    "and more specific *_NOT_FOUND codes).",
    409: "In conflict with the current state: a duplicate, a change at the same time, an upload already running, "
    "outside the action's window (OUTSIDE_WINDOW, with `window`).",
    413: "The body is over the limit (REQUEST_TOO_LARGE, TOO_LARGE) or the file has too many rows (TOO_MANY_ROWS).",
    422: "Read but refused: invalid fields (VALIDATION_FAILED with `fields`), a wrong file (NOT_A_WORKBOOK, "
    "HEADER_INVALID …) or wrong rows (ROWS_INVALID with `rows`), or a rule broken (its own code).",
    429: "Too many: login failures (LOGIN_THROTTLED), or the union's daily ID look-ups used up "
    "(ID_LOOKUP_QUOTA_EXCEEDED, with used/asked/allowance/resets_on).",
    503: "A service is unavailable for the moment (SERVICE_UNAVAILABLE): try again.",
}
RESPONSE_NAMES = {
    400: "BadRequest",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    413: "TooLarge",
    422: "Unprocessable",
    429: "TooManyRequests",
    503: "Unavailable",
}
CHANGING = ("post", "put", "patch", "delete")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _add_doc(func: View, update: dict[str, Any]) -> View:
    """Merge `update` into a view's manual OpenAPI doc (as `roles` and flask-smorest's `doc` do)."""
    apidoc: dict[str, Any] = deepcopy(getattr(func, "_apidoc", {}))
    manual = apidoc.setdefault("manual_doc", {})
    for key, value in update.items():
        if isinstance(value, dict):
            manual.setdefault(key, {}).update(value)
        else:
            manual[key] = value
    setattr(func, "_apidoc", apidoc)  # noqa: B010 - flask-smorest reads this attribute
    return func


def downloads(
    *media_types: str,
    status: int = 200,
    description: str = "the file (Content-Disposition: attachment)",
    revalidated: bool = False,
) -> Callable[[View], View]:
    """Declare a binary answer and its media types (the view returns the bytes itself);
    `revalidated`: it has an ETag, and If-None-Match naming it answers 304 without the bytes."""
    content = {media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in media_types}
    responses: dict[str, Any] = {str(status): {"description": description, "content": content}}
    if revalidated:
        responses["304"] = {"description": "Not Modified: If-None-Match named the ETag of these very bytes"}

    def decorator(func: View) -> View:
        return _add_doc(func, {"responses": responses})

    return decorator


def file_upload(
    description: str = "the workbook (.xlsx / .xls)", **form_fields: dict[str, Any]
) -> Callable[[View], View]:
    """Declare a multipart body with a `file` (read by the view from request.files) and, if any,
    other form fields as JSON Schema properties."""
    schema = {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": description}, **form_fields},
    }

    def decorator(func: View) -> View:
        return _add_doc(
            func, {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}
        )

    return decorator


def answers(*statuses: int) -> Callable[[View], View]:
    """Declare error statuses an operation can answer beyond those its shape implies (see
    `error_statuses`), e.g. 429 where a quota counts; published as `x-errors`."""

    def decorator(func: View) -> View:
        already = getattr(func, "_apidoc", {}).get("manual_doc", {}).get("x-errors", [])
        return _add_doc(func, {"x-errors": sorted({*already, *statuses})})

    return decorator


def error_statuses(method: str, operation: dict[str, Any], path_parameters: list[Any], forwarded: bool) -> list[int]:
    """Every error status an operation can answer, from its shape:
    401 and 403 always (no login; role or CSRF); 404 for a path parameter and, through a service,
    for any id in the query or body (outside scope answers like missing); 422 for query or body
    input and for every change a service judges; 400 and 413 for a body; 409 for a service's
    changes (conflicts, windows); 503 through a service; plus what it declares (`x-errors`)."""
    parameters = [p for p in operation.get("parameters", []) + path_parameters if isinstance(p, dict)]
    locations = {p.get("in") for p in parameters}
    body = "requestBody" in operation
    changing = method in CHANGING
    statuses: set[int] = {401, 403, *operation.get("x-errors", [])}
    if "path" in locations or (forwarded and (body or "query" in locations)):
        statuses.add(404)
    if body or "query" in locations or (forwarded and changing):
        statuses.add(422)
    if body:
        statuses |= {400, 413}
    if forwarded:
        statuses.add(503)
        if changing:
            statuses.add(409)
    return sorted(statuses)


def document_errors(spec: dict[str, Any], forwarded_prefixes: tuple[str, ...]) -> dict[str, Any]:
    """Give every operation of `spec` (an OpenAPI 3 dict, changed in place) its error answers:
    each status of `error_statuses` refers to one shared response whose body is `Error`; whatever
    a framework put there before (flask-smorest's `default` and its own error schema) goes."""
    components = spec.setdefault("components", {})
    components.setdefault("schemas", {}).update(ERROR_SCHEMAS)
    responses = components.setdefault("responses", {})
    for status, name in RESPONSE_NAMES.items():
        responses[name] = {
            "description": STATUS_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    for path, item in spec.get("paths", {}).items():
        forwarded = path.startswith(forwarded_prefixes)
        for method, operation in item.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            documented = operation.setdefault("responses", {})
            for status in [s for s in documented if not s.startswith(("2", "3"))]:
                del documented[status]
            for status in error_statuses(method, operation, item.get("parameters", []), forwarded):
                documented[str(status)] = {"$ref": f"#/components/responses/{RESPONSE_NAMES[status]}"}
            operation.pop("x-errors", None)
    return spec


def _error_schemas() -> dict[str, Any]:
    """`Error` and its parts as JSON Schema (apispec renders them as the services' schemas are)."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    spec = APISpec("errors", "v1", "3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.schema("Error", schema=Error)
    schemas: dict[str, Any] = spec.to_dict()["components"]["schemas"]
    return schemas


ERROR_SCHEMAS = _error_schemas()
