"""The statistics workbook (集中参保统计表, SPEC §3 batch management / §5): per district and cover
year, one line per grassroots union and type, opened with openpyxl and asserted cell by cell."""

import io
from datetime import datetime

from openpyxl import load_workbook

from tests.services.documents import contract as c

PATH = f"/statistics/{c.DISTRICT_1}/2020/file"


def season(documents):
    documents.feed(
        c.cover_year(),
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1, submitted_at="2019-11-05T10:00:00+08:00"),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3),
        c.submission(102, c.UNION_A, c.DISTRICT_1, "B", 2, 5, 2, submitted_at="2019-12-20T09:30:00+08:00"),
        c.priced(102, c.UNION_A, c.DISTRICT_1, "B", 2),
        c.submission(103, c.UNION_B, c.DISTRICT_1, "A", 4, 4, 1),
        c.priced(103, c.UNION_B, c.DISTRICT_1, "A", 4),
        c.submission(104, c.UNION_B, c.DISTRICT_1, "A", 9, 13, 2),
        c.returned(104, c.UNION_B, c.DISTRICT_1),
        c.submission(201, c.UNION_OTHER, c.DISTRICT_2, "A", 2, 2, 1),
        c.priced(201, c.UNION_OTHER, c.DISTRICT_2, "A", 2),
        c.batch_submitted(7, c.DISTRICT_1, [(103, c.UNION_B, "A", 4)]),
    )


def sheet_rows(content: bytes):
    book = load_workbook(io.BytesIO(content))
    # an output: its second sheet says what the figures mean, it is no form to fill in (填写说明)
    assert book.sheetnames == ["2020集中参保统计表", "口径说明"]
    return book, [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]


def test_one_line_per_union_and_type_with_sums_status_and_totals(documents):
    season(documents)
    response = documents.as_("district", district_id=c.DISTRICT_1).get(PATH)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book, rows = sheet_rows(response.data)
    assert rows[0][:5] == ["基层工会名称", "统一社会信用代码", "保障类型", "提交次数", "参保人数"]
    # 5 × B: 450 = 200 + 150 + 100; 4 × A: 104 = 52 + 52 + 0; the returned submission is not counted
    assert rows[1] == [
        "上海示范物流有限公司工会",
        "91310101MA1FL0012X",
        "A",
        1,
        4,
        104,
        52,
        52,
        0,
        0,
        "已提交市职保中心",
        "CB201912280001",
        datetime(2019, 11, 5, 10, 0),
    ]
    assert rows[2] == [
        "上海示范科技有限公司工会",
        "91310101MA1FL0011X",
        "B",
        2,
        5,
        450,
        200,
        150,
        100,
        0,
        "区局审核中",
        None,
        datetime(2019, 12, 20, 9, 30),
    ]
    assert rows[3][:10] == ["合计", None, None, 3, 9, 554, 252, 202, 100, 0]
    assert len(rows) == 4  # nothing of district 2
    assert book.worksheets[0]["B2"].number_format == "@"  # the credit code column is text
    # money in yuan as numbers, counts as integers, the time as a real one (Beijing time)
    formats = [c.number_format for c in book.worksheets[0][2]]
    assert formats[3:10] == ["0", "0", "0.00", "0.00", "0.00", "0.00", "0"] and formats[12] == "yyyy-mm-dd hh:mm"
    assert all(isinstance(v, int) for v in rows[3][3:5])
    notes = [[c.value for c in r] for r in book["口径说明"].iter_rows()]
    assert notes[0] == ["列名", "含义"] and ["保障类型", "该工会本年度选择的保障类型（A、A+、B、B+）"] in notes
    assert notes[-1][0] == "合计"


def test_same_facts_same_bytes_new_facts_new_version(documents):
    season(documents)
    district = documents.as_("district", district_id=c.DISTRICT_1)
    first = district.get(PATH)
    assert district.get(PATH).data == first.data and first.headers["X-Document-Version"] == "1"
    documents.feed(
        c.priced(104, c.UNION_B, c.DISTRICT_1, "A", 9),
        c.submission(105, c.UNION_B, c.DISTRICT_1, "A", 1, 5, 3),
        c.priced(105, c.UNION_B, c.DISTRICT_1, "A", 1),
    )
    second = district.get(PATH)
    assert second.headers["X-Document-Version"] == "2" and second.data != first.data
    _, rows = sheet_rows(second.data)
    assert rows[1][:11] == [
        "上海示范物流有限公司工会",
        "91310101MA1FL0012X",
        "A",
        2,
        5,
        130,
        65,
        65,
        0,
        0,
        "部分已提交市职保中心",
    ]


def test_a_union_name_typed_like_a_formula_stays_text(documents):
    documents.feed(
        c.union(31, '=HYPERLINK("http://x")工会', c.DISTRICT_1),
        c.cover_year(),
        c.submission(301, 31, c.DISTRICT_1, "A", 1, 1, 1),
        c.priced(301, 31, c.DISTRICT_1, "A", 1),
    )
    content = documents.as_("centre").get(PATH).data
    book = load_workbook(io.BytesIO(content))
    cell = book.worksheets[0]["A2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")工会'


def test_statistics_scope(documents):
    season(documents)
    other = documents.as_("district", district_id=c.DISTRICT_2)
    hidden, missing = other.get(PATH), other.get("/statistics/99/2020/file")
    assert hidden.status_code == missing.status_code == 404 and hidden.get_json() == missing.get_json()
    assert documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1).get(PATH).status_code == 403
    assert documents.as_("centre").get(PATH).status_code == 200
    listed = documents.as_("district", district_id=c.DISTRICT_1).get("/documents?kind=statistics").get_json()
    assert [i["kind"] for i in listed["items"]] == ["statistics"]
