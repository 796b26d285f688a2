"""An earlier cover year's claims deadline stays in sight on 职工保障查询 until it passes (issue 28
item 6): the guide's 2021-12-31 for the 2019 cover."""

from datetime import date

from services.enrollment.domain.cover_state import open_claims

COVERS = [
    (2019, date(2019, 12, 31), date(2021, 12, 31), "已到期"),
    (2020, date(2020, 12, 31), date(2022, 12, 31), "已到期"),
    (2021, date(2021, 12, 31), date(2023, 12, 31), "保障中"),
]


def test_the_earlier_years_deadline_shows_until_its_last_day():
    lines = [c["message"] for c in open_claims(COVERS, date(2021, 12, 31))]
    assert lines == ["2019年度保障的理赔截止日为 2021-12-31", "2020年度保障的理赔截止日为 2022-12-31"]


def test_the_day_after_the_deadline_the_line_is_gone():
    assert [c["cover_year"] for c in open_claims(COVERS, date(2022, 1, 1))] == [2020]


def test_a_running_or_failed_cover_has_no_line():
    failed = [(2020, date(2020, 12, 31), date(2021, 12, 31), "已失效")]
    assert open_claims(failed, date(2021, 6, 1)) == []
    assert open_claims(COVERS[2:], date(2021, 6, 1)) == []
