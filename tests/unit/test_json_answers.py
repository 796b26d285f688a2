"""Answers are encoded by orjson (common/web.JSONProvider, decision 0048) into the very bytes
Flask's own compact encoder made: keys sorted, UTF-8 unescaped, moments in Asia/Shanghai, days as
dates, decimals as text; what orjson will not take falls back to Flask's encoder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from common.web import JSONProvider


class Stdlib(JSONProvider):
    def response(self, *args, **kwargs):
        return DefaultJSONProvider.response(self, *args, **kwargs)


def _both(*args, **kwargs) -> tuple[bytes, bytes]:
    app = Flask("t")
    with app.app_context():
        fast = JSONProvider(app).response(*args, **kwargs).get_data()
        plain = Stdlib(app).response(*args, **kwargs).get_data()
    return fast, plain


def test_the_same_bytes_as_flasks_encoder():
    answer = {
        "z": [1, 2.5, None, True, "会员 张三", {"b": 1, "a": [date(2026, 12, 8)]}],
        "at": datetime(2026, 12, 8, 2, 0, tzinfo=UTC),
        "naive": datetime(2026, 12, 8, 2, 0),
        "amount": Decimal("12.30"),
        "a": "3101**********1234",
    }
    fast, plain = _both(answer)
    assert fast == plain
    assert b'"at":"2026-12-08T10:00:00+08:00"' in fast and b'"amount":"12.30"' in fast
    assert _both([{"b": 2, "a": 1}])[0] == _both([{"b": 2, "a": 1}])[1]
    assert _both(page=1, items=[])[0] == _both(page=1, items=[])[1]


def test_what_orjson_refuses_is_encoded_by_flask():
    fast, plain = _both({"big": 2**70})
    assert fast == plain == b'{"big":1180591620717411303424}\n'
