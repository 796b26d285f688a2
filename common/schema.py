"""Marshmallow with Chinese messages and unknown fields refused.

Field messages are what a clerk reads next to a form field, so they are set once for every
service instead of on each field (common/patches.py)."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from common import clock, patches
from common.downloads import has_invisible

INVISIBLE_MESSAGE = "不能包含控制字符或不可见的文字方向字符，请删除后重试"

# The Chinese messages are set on marshmallow's own classes (common/patches.py, decision 0025)
# before any schema below or in a service builds its fields.
patches.apply()


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE

    # marshmallow reads this class attribute (its stubs declare it an instance variable)
    error_messages: dict[str, str] = {"unknown": "不允许的字段", "type": "数据格式不正确，应为 JSON 对象"}  # noqa: RUF012

    @pre_load
    def _no_invisible_characters(self, data: Any, **kwargs: Any) -> Any:
        """Text people send never holds a control character or a bidi control (line breaks and
        tabs aside): such a name once broke every download named after it (issue 23). Refused
        at the door, for every field of every schema (nested schemas check their own)."""
        if hasattr(data, "items"):
            bad = {key: [INVISIBLE_MESSAGE] for key, value in data.items() if _holds_invisible(value)}
            if bad:
                raise ValidationError(bad)
        return data


def _holds_invisible(value: object) -> bool:
    if isinstance(value, str):
        return has_invisible(value, allow_line_breaks=True)
    if isinstance(value, list):
        return any(_holds_invisible(v) for v in value)
    return False


class PageQuery(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class Timestamp(fields.DateTime):
    """A moment in an answer: ISO 8601 in Asia/Shanghai with its offset (`2026-12-03T10:03:00+08:00`),
    never naive. Stored naive values are UTC. Every service's schemas use it for every timestamp."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(clock.shanghai(value), attr, obj, **kwargs)
