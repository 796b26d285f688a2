"""Marshmallow with Chinese messages and unknown fields refused.

Field messages are what a clerk reads next to a form field, so they are set once for every
service instead of on each field (common/patches.py)."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from common import clock, patches

# The Chinese messages are set on marshmallow's own classes (common/patches.py, decision 0025)
# before any schema below or in a service builds its fields.
patches.apply()


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE

    # marshmallow reads this class attribute (its stubs declare it an instance variable)
    error_messages: dict[str, str] = {"unknown": "不允许的字段", "type": "数据格式不正确，应为 JSON 对象"}  # noqa: RUF012


class PageQuery(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class Timestamp(fields.DateTime):
    """A moment in an answer: ISO 8601 in Asia/Shanghai with its offset (`2026-12-03T10:03:00+08:00`),
    never naive. Stored naive values are UTC. Every service's schemas use it for every timestamp."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(clock.shanghai(value), attr, obj, **kwargs)
