"""Marshmallow with Chinese messages and unknown fields refused.

Field messages are what a clerk reads next to a form field, so they are set here once for
every service instead of on each field."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from common import clock
from common.downloads import has_invisible

INVISIBLE_MESSAGE = "不能包含控制字符或不可见的文字方向字符，请删除后重试"

_FIELD_MESSAGES = {
    fields.Field: {"required": "此项必填", "null": "此项不能为空", "validator_failed": "取值不符合要求"},
    fields.String: {"invalid": "应为文本"},
    fields.Integer: {"invalid": "应为整数"},
    fields.Number: {"invalid": "应为数字", "too_large": "数值过大"},
    fields.Boolean: {"invalid": "应为 true 或 false"},
    fields.Email: {"invalid": "电子邮箱格式不正确"},
    fields.Date: {"invalid": "日期格式不正确，应为 YYYY-MM-DD"},
    fields.DateTime: {"invalid": "时间格式不正确，应为 ISO 8601"},
    fields.List: {"invalid": "应为列表"},
    fields.Nested: {"type": "应为对象"},
}
for _cls, _messages in _FIELD_MESSAGES.items():
    _cls.default_error_messages = {**_cls.default_error_messages, **_messages}

validate.Length.message_min = "长度不能少于 {min}"
validate.Length.message_max = "长度不能超过 {max}"
validate.Length.message_all = "长度应在 {min} 到 {max} 之间"
validate.Length.message_equal = "长度应为 {equal}"
validate.OneOf.default_message = "取值须为以下之一：{choices}"
validate.Range.message_min = "不能小于 {{min}}"
validate.Range.message_max = "不能大于 {{max}}"
validate.Range.message_all = "应在 {{min}} 到 {{max}} 之间"
validate.Regexp.default_message = "格式不正确"


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "不允许的字段", "type": "数据格式不正确，应为 JSON 对象"}

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

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(clock.shanghai(value), attr, obj, **kwargs)
