"""Marshmallow pieces shared by billing's blueprints: amounts in yuan in, fen out."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from common.downloads import clean_filename
from common.errors import ValidationFailed
from common.money import parse_yuan
from common.schema import BaseSchema
from services.billing.domain.payment_status import PAYMENT_STATUSES

MAX_ID = 2**31 - 1
PER_PERSON_MAX_FEN = 100_000_000  # 1,000,000 yuan a person: far above any price
AMOUNT_MAX_FEN = 10**14  # a trillion yuan: far above any payment


def Id(**kwargs):  # noqa: N802 - reads like a field type
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def Year(**kwargs):  # noqa: N802
    return fields.Integer(validate=validate.Range(min=2000, max=2100), **kwargs)


class Yuan(fields.Field):
    """An amount given in yuan as a string ("26.00") or an integer; loads as integer fen.
    Floats, more than two decimals, negatives, non-numbers and absurd sizes are refused."""

    def __init__(self, *args, max_fen: int = AMOUNT_MAX_FEN, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_fen = max_fen

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and len(value) > 40:
            raise ValidationError(["金额不是有效的数字"])
        try:
            fen = parse_yuan(value, attr or "amount")
        except ValidationFailed as exc:
            raise ValidationError(next(iter(exc.extra["fields"].values()))) from None
        if fen > self.max_fen:
            raise ValidationError([f"金额过大（上限 {self.max_fen // 100:,} 元）"])
        return fen

    def _serialize(self, value, attr, obj, **kwargs):
        return value


def file_from_request(field: str = "file") -> tuple[bytes, str]:
    """The uploaded file's bytes and name, or a 422 naming the missing field."""
    from flask import request

    upload = request.files.get(field)
    if upload is None:
        raise ValidationFailed({field: ["请选择要上传的文件（multipart/form-data，字段名 file）"]})
    return upload.read(), clean_filename(upload.filename, fallback="")  # cleaned at the door (common.downloads)


class YearQuery(BaseSchema):
    cover_year = Year()


BATCH_STATUSES = tuple(PAYMENT_STATUSES)


class BatchQuery(YearQuery):
    district_id = Id()
    status = fields.String(validate=validate.OneOf(BATCH_STATUSES))
