"""Bank statements as banks export them: the layout table, cells to the fen and the day, only
credit lines, and the line fingerprints that make a second import change nothing (pure rules)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.billing.domain.statement import Line, OpenBatch, match_lines
from services.billing.domain.statement_fingerprint import fingerprinted, fingerprints
from services.billing.domain.statement_layout import (
    COLUMN_NAMES,
    LAYOUTS,
    CellInvalid,
    StatementUnreadable,
    find_header,
    parse_amount,
    parse_date,
    read_table,
    recognise,
)

# ------------------------------------------------------------------ the layout table


def test_the_column_names_of_different_roles_never_overlap():
    seen: dict[str, str] = {}
    for role, names in COLUMN_NAMES.items():
        for name in names:
            assert seen.setdefault(name, role) == role, name
    assert len({layout.code for layout in LAYOUTS}) == len(LAYOUTS)


@pytest.mark.parametrize(
    "header, layout, chosen",
    [
        # 工商银行-like: separate debit and credit columns, the credit named with a note in brackets
        (
            ["交易时间", "对方单位名称", "借方发生额（支取）", "贷方发生额（收入）", "余额", "摘要", "交易流水号"],
            "credit_column",
            {
                "date": ["交易时间"],
                "payer": ["对方单位名称"],
                "credit": ["贷方发生额（收入）"],
                "debit": ["借方发生额（支取）"],
                "memo": ["摘要"],
                "serial": ["交易流水号"],
            },
        ),
        # 建设银行-like: two dates (交易日期 preferred), several memo columns, a joined serial header
        (
            ["记账日期", "交易日期", "对方户名", "收入金额", "支出金额", "摘要", "备注", "账户明细编号-交易流水号"],
            "credit_column",
            {
                "date": ["交易日期"],
                "payer": ["对方户名"],
                "credit": ["收入金额"],
                "debit": ["支出金额"],
                "memo": ["摘要", "备注"],
                "serial": ["账户明细编号-交易流水号"],
            },
        ),
        # 中国银行-like: one amount and a direction column; 付款人名称 beside 收款人名称
        (
            ["交易日期", "付款人名称", "收款人名称", "交易金额", "借贷标志", "用途", "附言", "流水号"],
            "amount_with_direction",
            {
                "date": ["交易日期"],
                "payer": ["付款人名称"],
                "amount": ["交易金额"],
                "direction": ["借贷标志"],
                "memo": ["用途", "附言"],
                "serial": ["流水号"],
            },
        ),
        (
            ["交易日期", "对方账户名称", "交易金额", "摘要"],
            "signed_amount",
            {"date": ["交易日期"], "payer": ["对方账户名称"], "amount": ["交易金额"], "memo": ["摘要"]},
        ),
        (
            ["日期", "付款人", "金额", "摘要"],
            "template",
            {"date": ["日期"], "payer": ["付款人"], "amount": ["金额"], "memo": ["摘要"]},
        ),
        # full-width brackets and spaces, a required-mark, a unit
        (
            ["* 交易日期 ", "对方户名", "金额(元)", "借／贷", "附言"],
            "amount_with_direction",
            {
                "date": ["* 交易日期"],
                "payer": ["对方户名"],
                "amount": ["金额(元)"],
                "direction": ["借／贷"],
                "memo": ["附言"],
            },
        ),
    ],
)
def test_known_layouts_are_recognised_and_say_which_columns(header, layout, chosen):
    recognised = recognise(header)
    assert recognised is not None and recognised.layout.code == layout
    described = recognised.described()
    assert {c["role"]: c["headers"] for c in described["columns"]} == chosen
    assert described["name"] == recognised.layout.name


def test_a_template_with_a_direction_column_is_not_read_as_all_credits():
    assert recognise(["日期", "付款人", "金额", "摘要", "借贷标志"]).layout.code == "amount_with_direction"


def test_the_header_is_found_below_an_export_s_title_rows():
    rows = [
        ["中国建设银行单位账户明细"],
        ["账号", "31001"],
        [],
        ["交易日期", "对方户名", "贷方发生额", "摘要"],
        ["2020-01-10", "黄浦区总工会", "630.00", "CB201912300001"],
    ]
    read = read_table(rows, "xlsx")
    assert read.layout["header_row"] == 4 and read.layout["file_kind"] == "xlsx"
    assert [(x.row, x.amount_fen) for x in read.lines] == [(5, 63000)]


def test_a_layout_it_cannot_read_is_refused_naming_the_columns_it_needs():
    with pytest.raises(StatementUnreadable) as exc:
        find_header([["日期", "付款人", "金额"], ["2020-01-10", "a", "1"]])
    assert exc.value.code == "STATEMENT_LAYOUT_UNKNOWN"
    assert "缺少列：摘要" in exc.value.message and "交易日期（或 记账日期）" in exc.value.message
    assert exc.value.extra["missing"] == ["摘要/用途"]
    with pytest.raises(StatementUnreadable) as exc:
        find_header([["名字", "钱"], ["a", "1"]])
    assert exc.value.code == "STATEMENT_LAYOUT_UNKNOWN" and "需要的列" in exc.value.message
    with pytest.raises(StatementUnreadable) as exc:  # the closest row names what it lacks
        find_header([["交易日期", "对方户名", "余额", "摘要"]])
    assert "贷方发生额" in exc.value.message.split("需要的列")[0]


# ------------------------------------------------------------------ only credit lines


def test_only_credit_lines_count_in_every_layout():
    credit_column = [
        ["交易日期", "对方户名", "借方发生额", "贷方发生额", "摘要"],
        ["2020-01-10", "黄浦区总工会", "", "630.00", "CB201912300001"],
        ["2020-01-10", "某公司", "500.00", "", "付款"],
        ["2020-01-11", "某公司", "0.00", "-20.00", "冲正"],
        ["合计", "", "500.00", "630.00", ""],
    ]
    read = read_table(credit_column, "csv")
    assert [x.row for x in read.lines] == [2] and read.skipped_rows == [3, 4] and read.footer_rows == [5]
    direction = [
        ["交易日期", "付款人名称", "交易金额", "借贷标志", "用途"],
        ["2020-01-10", "黄浦区总工会", "630.00", "贷", "参保"],
        ["2020-01-10", "某公司", "630.00", "借", ""],
        ["2020-01-10", "东航工会", "139", "C", ""],
        ["2020-01-10", "某公司", "1", "D", ""],
        ["2020-01-10", "", "（冲销）", "借", ""],
    ]  # a debit's amount is not even read
    read = read_table(direction, "csv")
    assert [(x.row, x.payer) for x in read.lines] == [(2, "黄浦区总工会"), (4, "东航工会")]
    assert read.skipped_rows == [3, 5, 6]
    signed = [
        ["交易日期", "对方户名", "交易金额", "摘要"],
        ["2020-01-10", "a", "-630.00", ""],
        ["2020-01-10", "b", "+1.00", ""],
    ]
    read = read_table(signed, "csv")
    assert [(x.payer, x.amount_fen) for x in read.lines] == [("b", 100)] and read.skipped_rows == [2]


def test_bad_rows_refuse_the_whole_statement_with_each_row_and_column():
    rows = [
        ["交易日期", "付款人名称", "交易金额", "借贷标志", "用途", "流水号"],
        ["2020-13-01", "a", "1", "贷", "", "S1"],
        ["2020-01-10", "", "六百", "贷", "", "S2"],
        ["2020-01-10", "b", "1", "平", "", "S3"],
        ["2020-01-10", "c", "1", "贷", "", "S1"],
        ["2020-01-10", "d", "1.005", "贷", "", "S5"],
    ]
    with pytest.raises(StatementUnreadable) as exc:
        read_table(rows, "csv")
    assert exc.value.code == "ROWS_INVALID"
    got = {r["row"]: r["errors"] for r in exc.value.extra["rows"]}
    assert sorted(got) == [2, 3, 4, 5, 6]
    assert "不存在" in got[2][0] and got[3][0].startswith("交易金额：") and "无法识别“平”" in got[4][0]
    assert "与第 2 行相同" in got[5][0] and "精确到分" in got[6][0]


def test_a_statement_without_any_credit_is_refused():
    with pytest.raises(StatementUnreadable) as exc:
        read_table([["交易日期", "对方户名", "交易金额", "摘要"], ["2020-01-10", "a", "-1", ""]], "csv")
    assert exc.value.code == "STATEMENT_EMPTY" and "1 行支出已略过" in exc.value.message


def test_the_template_refuses_a_negative_amount_as_before():
    with pytest.raises(StatementUnreadable) as exc:
        read_table([["日期", "付款人", "金额", "摘要"], ["2020-01-10", "a", "-1", ""]], "xlsx")
    assert exc.value.extra["rows"] == [{"row": 2, "errors": ["金额：金额不能为负数"]}]


# ------------------------------------------------------------------ amounts and dates


@pytest.mark.parametrize(
    "cell, fen",
    [
        ("1,016.00", 101600),
        ("¥1016", 101600),
        ("￥1,016.00", 101600),
        ("１０１６．００", 101600),
        ("1016.00元", 101600),
        ("RMB 1,016.5", 101650),
        ("CNY1016", 101600),
        ("人民币1016.01", 101601),
        ("+1016", 101600),
        ("-1,016.00", -101600),
        ("(1,016.00)", -101600),
        ("¥-5", -500),
        ('="1016.00"', 101600),
        (" 0.1 ", 10),
        ("1016.000", 101600),
        (1016, 101600),
        (1016.0, 101600),
        (1016.01, 101601),
        (0.1, 10),
        (Decimal("12.34"), 1234),
        ("１，０１６", 101600),
    ],
)
def test_amounts_read_exactly_to_the_fen(cell, fen):
    assert parse_amount(cell) == fen


@pytest.mark.parametrize(
    "cell",
    [
        "六百",
        "1.005",
        "1,01,6",
        "10,16.00",
        "1e3",
        "NaN",
        "--1",
        "1.2.3",
        "",
        "¥",
        "1 0 1 6x",
        1.005,
        float("nan"),
        "9" * 30,
        True,
        None,
    ],
)
def test_amounts_that_are_not_exact_numbers_are_refused(cell):
    with pytest.raises(CellInvalid):
        parse_amount(cell)


@given(
    st.integers(min_value=-(10**13), max_value=10**13), st.sampled_from(["plain", "commas", "yen", "fullwidth", "unit"])
)
def test_any_amount_written_as_exports_write_it_reads_back_to_the_same_fen(fen, style):
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    text = {
        "plain": f"{sign}{whole}.{cents:02d}",
        "commas": f"{sign}{whole:,}.{cents:02d}",
        "yen": f"{sign}¥{whole:,}.{cents:02d}",
        "unit": f"{sign}{whole}.{cents:02d}元",
        "fullwidth": "".join(
            chr(ord(c) + 0xFEE0) if c.isdigit() or c in ".," else c for c in f"{sign}{whole:,}.{cents:02d}"
        ),
    }[style]
    assert parse_amount(text) == fen


@given(st.integers(min_value=0, max_value=10**12))
def test_an_excel_number_reads_as_the_amount_it_shows(fen):
    shown = float(Decimal(fen) / 100)  # the double Excel stores for the amount typed
    assert parse_amount(shown) == fen


@pytest.mark.parametrize(
    "cell, day",
    [
        ("2020-01-10", date(2020, 1, 10)),
        ("2020/1/10", date(2020, 1, 10)),
        ("2020.01.10", date(2020, 1, 10)),
        ("20200110", date(2020, 1, 10)),
        (20200110, date(2020, 1, 10)),
        (20200110.0, date(2020, 1, 10)),
        ("2020年1月10日", date(2020, 1, 10)),
        ("2020-01-10 10:23:45", date(2020, 1, 10)),
        ("2020-01-10T10:23:45+08:00", date(2020, 1, 10)),
        ("２０２０－０１－１０", date(2020, 1, 10)),
        (datetime(2020, 1, 10, 9, 30), date(2020, 1, 10)),
        (date(2020, 1, 10), date(2020, 1, 10)),
        ('="20200110"', date(2020, 1, 10)),
    ],
)
def test_dates_as_exports_write_them(cell, day):
    assert parse_date(cell) == day


@pytest.mark.parametrize("cell", ["2020-02-30", "昨天", "10/01/2020", "2020-1", "", None, 2020.5, "202001100"])
def test_dates_that_are_not_days_are_refused(cell):
    with pytest.raises(CellInvalid):
        parse_date(cell)


# ------------------------------------------------------------------ fingerprints


def line(row, payer="黄浦区总工会", amount=63000, memo="参保款", day=date(2020, 1, 10), serial=""):
    return Line(row, day, payer, amount, memo, serial)


def test_two_identical_transfers_on_one_day_are_two_lines_and_the_same_statement_again_is_the_same():
    statement = [line(2), line(3), line(4, amount=13000)]
    first = fingerprints(statement)
    assert len(set(first)) == 3  # identical transfers: two distinct lines
    assert fingerprints([line(12), line(13), line(14, amount=13000)]) == first  # rows do not matter
    # the same lines exported again with other spacing, full-width characters or case
    assert (
        fingerprints(
            [
                line(2, payer=" 黄浦区总工会 ", memo="参保款 "),
                line(3, memo="参 保 款"),
                line(4, amount=13000, memo="参保款"),
            ]
        )
        == first
    )


def test_the_bank_serial_says_which_transaction_it_is():
    a, b = fingerprints([line(2, serial="S1"), line(3, serial="S2")])
    assert a != b  # identical but for the serial: two transactions
    assert fingerprints([line(9, memo="其他附言", serial="S1")])[0] == a  # the bank's serial wins
    assert fingerprints([line(2, serial="S1", amount=1)])[0] != a


@given(
    st.lists(
        st.tuples(
            st.integers(1, 3),
            st.sampled_from(["甲", "乙"]),
            st.sampled_from([100, 200]),
            st.sampled_from(["", "CB201912300001"]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.randoms(),
)
def test_fingerprints_identify_a_statement_s_lines_whatever_their_order(specs, rng):
    lines = [line(i, payer, amount, memo, date(2020, 1, day)) for i, (day, payer, amount, memo) in enumerate(specs)]
    first = fingerprints(lines)
    assert len(set(first)) == len(lines)  # every line its own, identical ones too
    shuffled = list(lines)
    rng.shuffle(shuffled)
    assert sorted(fingerprints(shuffled)) == sorted(first)
    # an export of some whole days of the same account: each of its lines is one already seen
    days = {lines[0].paid_on}
    part = [x for x in lines if x.paid_on in days]
    assert set(fingerprints(part)) <= set(first)


def test_a_line_seen_before_is_already_imported_never_matched_again():
    batches = [
        OpenBatch(1, "CB201912300001", 10, "黄浦区总工会", 63000, False),
        OpenBatch(2, "CB201912300002", 10, "黄浦区总工会", 13000, False),
    ]
    first = fingerprinted([line(2, memo="CB201912300001"), line(3, memo="CB201912300001")])
    assert [r.batch_id for r in match_lines(first, batches)] == [1, 1]  # a batch paid in two identical parts
    again = fingerprinted(
        [line(2, memo="CB201912300001"), line(3, memo="CB201912300001"), line(4, memo="CB201912300001")]
    )
    results = match_lines(again, batches, {x.fingerprint for x in first})
    assert [(r.batch_id, r.reason_code) for r in results] == [
        (None, "DUPLICATE_LINE"),
        (None, "DUPLICATE_LINE"),
        (1, "MATCHED_BY_BATCH_NO"),
    ]  # the third is new
