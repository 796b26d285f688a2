"""One OpenAPI document for the whole system: the gateway's own paths plus each service's,
prefixed with `/api/v1/<service>` and with their schema names prefixed to stay apart. Every
operation's error answers are documented here, in one place (common/api_docs.py): the statuses
it can answer through the gateway, each with the one error body every error has."""

from __future__ import annotations

import json

from common import api_docs
from common import identity as internal
from common.config import SERVICES
from gateway.proxy import call_service


def aggregate(own_spec: dict, request_id: str) -> dict:
    spec = json.loads(json.dumps(own_spec))
    spec.setdefault("paths", {})
    spec.setdefault("components", {}).setdefault("schemas", {})
    spec["info"] = {
        "title": "会员服务卡集中参保系统 API",
        "version": "v1",
        "description": "All requests go through the gateway: log in for a bearer token "
        "(POST /api/v1/auth/login) and send it as `Authorization: Bearer …`.",
    }
    spec["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    spec["security"] = [{"bearer": []}]
    missing = []
    ident = internal.Identity(user="gateway", role=internal.GATEWAY, request_id=request_id)
    for service in SERVICES:
        try:
            response = call_service(service, "GET", "openapi.json", ident, timeout=(2, 10))
            service_spec = response.json()
        except Exception:  # noqa: BLE001 - a service that is down is listed, not fatal
            missing.append(service)
            continue
        text = json.dumps(service_spec).replace('"#/components/schemas/', f'"#/components/schemas/{service}.')
        service_spec = json.loads(text)
        for path, item in service_spec.get("paths", {}).items():
            for operation in item.values():
                if isinstance(operation, dict):
                    operation.setdefault("tags", [])
                    operation["tags"] = [f"{service}: {t}" for t in operation["tags"]] or [service]
                    operation.pop("security", None)
            spec["paths"][f"/api/v1/{service}{path}"] = item
        for name, schema in service_spec.get("components", {}).get("schemas", {}).items():
            if name not in api_docs.ERROR_SCHEMAS:  # one `Error` for all, documented below
                spec["components"]["schemas"][f"{service}.{name}"] = schema
    if missing:
        spec["info"]["x-unavailable-services"] = missing
    return api_docs.document_errors(spec, forwarded_prefixes=tuple(f"/api/v1/{s}/" for s in SERVICES))
