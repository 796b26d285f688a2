"""Times in answers: ISO 8601 in Asia/Shanghai with the offset, whatever way they were stored
(SPEC §7). Stored naive values are UTC."""

from datetime import date, datetime, timedelta, timezone

from flask import Flask

from common.schema import BaseSchema, Timestamp
from common.web import JSONProvider
from tests.system import NAIVE_TIMESTAMP


class Row(BaseSchema):
    at = Timestamp(allow_none=True)


def test_a_stored_naive_utc_moment_is_answered_in_shanghai_with_its_offset():
    assert Row().dump({"at": datetime(2026, 12, 2, 18, 3)})["at"] == "2026-12-03T02:03:00+08:00"
    aware = datetime(2026, 12, 2, 10, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert Row().dump({"at": aware})["at"] == "2026-12-02T23:00:00+08:00"
    assert Row().dump({"at": None})["at"] is None


def test_answers_without_a_schema_follow_the_same_rule():
    app = Flask("t")
    app.json = JSONProvider(app)
    body = app.json.dumps({"at": datetime(2026, 12, 2, 18, 3), "day": date(2026, 12, 27), "name": "黄浦"})
    assert body == '{"at": "2026-12-03T02:03:00+08:00", "day": "2026-12-27", "name": "黄浦"}'
    assert not NAIVE_TIMESTAMP.findall(body)
    assert NAIVE_TIMESTAMP.findall('{"at": "2026-12-02T17:56"}') == ["2026-12-02T17:56"]
