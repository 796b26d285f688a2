"""Sync categories A–E (SPEC §2.5) and the rows of an uploaded list: pure rules."""

from datetime import date

from services.members.domain.idcard import TEXT_FORMAT_HINT, check_char
from services.members.domain.roster_sync import (
    NAME_MISMATCH,
    NOT_FOUND,
    Found,
    PersonRow,
    classify,
    classify_transfer_in,
    person_rows,
)

TODAY = date(2026, 11, 27)


def rid(seq: int) -> str:
    first17 = f"31010119900101{seq:03d}"
    return first17 + check_char(first17)


ROW = PersonRow(5, "张一", rid(1))


def test_categories():
    assert classify(7, ROW, Found(1, "张一", 7)) == ("A", None)
    assert classify(7, ROW, Found(1, "张一", None)) == ("B", None)
    assert classify(7, ROW, Found(1, "张一", 8)) == ("C", None)
    assert classify(7, ROW, Found(1, "张一", 8, pending_to_union=7)) == ("C", None)
    category, error = classify(7, ROW, None)
    assert (
        category == "E"
        and error.row == 5
        and error.message == NOT_FOUND == "未查到该会员信息,请确认该证件号码已录入到系统"
    )


def test_name_must_match_and_a_request_elsewhere_blocks():
    category, error = classify(7, ROW, Found(1, "张二", 7))
    assert category == "E" and error.message == NAME_MISMATCH and error.column == "姓名"
    category, error = classify(7, ROW, Found(1, "张一", 8, pending_to_union=9))
    assert category == "E"


def test_transfer_in_of_an_own_member_is_an_error():
    category, error = classify_transfer_in(7, ROW, Found(1, "张一", 7))
    assert category == "E" and "已是本单位会员" in error.message
    assert classify_transfer_in(7, ROW, Found(1, "张一", None)) == ("B", None)


def test_rows_number_cells_duplicates_and_blank_names():
    raw = [
        (2, "甲", rid(1), False),
        (3, "乙", "310101199001011234.0", False),
        (4, "丙", 3.10101199001011e17, True),
        (5, "丁", rid(1).lower(), False),
        (6, "", rid(2), False),
        (7, "戊", "310101199013011230", False),
    ]
    rows, errors = person_rows(raw, TODAY)
    assert [r.row for r in rows] == [2]
    by_row = {e.row: e for e in errors}
    assert by_row[3].message == TEXT_FORMAT_HINT and by_row[4].message == TEXT_FORMAT_HINT
    assert "与第 2 行重复" in by_row[5].message
    assert by_row[6].column == "姓名"
    assert by_row[7].column == "证件号码"


def test_the_transfer_in_lists_refusing_categories_are_the_ones_classify_transfer_in_refuses():
    """TRANSFER_IN_ERRORS (what the set-based comparison refuses for a transfer-in list) names
    exactly the categories the Python rule makes error rows of."""
    from services.members.domain.roster_sync import TRANSFER_IN_ERRORS, Found, PersonRow, classify_transfer_in

    ours, row = 7, PersonRow(2, "张三", "110101199003074514")
    cases = {
        "A": Found(1, "张三", ours),
        "B": Found(1, "张三", None),
        "C": Found(1, "张三", 8),
        "E": None,
        "N": Found(1, "李四", 8),
        "P": Found(1, "张三", 8, pending_to_union=9),
    }
    refused = {category for category, found in cases.items() if classify_transfer_in(ours, row, found)[1] is not None}
    assert refused == set(TRANSFER_IN_ERRORS)
