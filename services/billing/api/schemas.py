"""Marshmallow pieces shared by billing's blueprints: amounts in yuan in, fen out."""
from __future__ import annotations

from marshmallow import ValidationError, fields

from common.errors import ValidationFailed
from common.money import parse_yuan


class Yuan(fields.Field):
    """An amount given in yuan as a string ("26.00") or an integer; loads as integer fen.
    Floats, more than two decimals, negatives and non-numbers are refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_yuan(value, attr or "amount")
        except ValidationFailed as exc:
            raise ValidationError(next(iter(exc.extra["fields"].values()))) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return value


def file_from_request(field: str = "file") -> tuple[bytes, str]:
    """The uploaded file's bytes and name, or a 422 naming the missing field."""
    from flask import request

    upload = request.files.get(field)
    if upload is None:
        raise ValidationFailed({field: ["请选择要上传的文件（multipart/form-data，字段名 file）"]})
    return upload.read(), upload.filename or ""
