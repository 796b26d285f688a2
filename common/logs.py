"""JSON logs, one object a line, carrying the request id the gateway hands on."""
from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

_request_id = None


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            from flask import g, has_request_context

            record.request_id = g.get("request_id", "") if has_request_context() else ""
        except Exception:  # noqa: BLE001
            record.request_id = ""
        return True


def setup(service: str, level: str = "INFO") -> None:
    root = logging.getLogger()
    if getattr(root, "_union_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                                       static_fields={"service": service}))
    handler.addFilter(RequestIdFilter())
    root.handlers[:] = [handler]
    root.setLevel(level)
    root._union_configured = True  # type: ignore[attr-defined]
