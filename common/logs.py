"""JSON logs, one object a line, carrying the request id the gateway hands on."""

from __future__ import annotations

import json
import logging
import sys

# A LogRecord's own attributes; anything else on a record came from `extra=` and is logged too.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            from flask import g, has_request_context

            record.request_id = g.get("request_id", "") if has_request_context() else ""
        except Exception:  # noqa: BLE001
            record.request_id = ""
        return True


class JsonLineFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, service, then the
    record's extra fields. Written directly with json.dumps: every service logs each request,
    and a general-purpose JSON formatter cost several times as much per line."""

    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "asctime": self.formatTime(record),
            "levelname": record.levelname,
            "name": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
            "service": self.service,
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and key != "request_id":
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str)


def setup(service: str, level: str = "INFO") -> None:
    root = logging.getLogger()
    if getattr(root, "_union_configured", False):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter(service))
    handler.addFilter(RequestIdFilter())
    root.handlers[:] = [handler]
    root.setLevel(level)
    root._union_configured = True  # type: ignore[attr-defined]
