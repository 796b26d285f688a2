"""Reading statement files as banks export them: .xlsx, .xls, CSV in GBK/GB18030, UTF-8 and
UTF-16, tab-separated text saved as .xls, CAMT.053 XML — and the files that must be refused
(unsafe XML, web pages, unknown encodings) with a stable code."""

from __future__ import annotations

from datetime import date

import pytest

from common.errors import Rejected
from services.billing.adapters.statement_files import read_bank_statement
from services.billing.domain.statement_layout import StatementUnreadable
from tests.services.billing.statement_files import CAMT_08, bank_csv, bank_xls, bank_xlsx, camt053

LINES = [
    ("2020-01-10", "黄浦区总工会", "1,016.00", "集中参保 CB201912300001"),
    ("2020/1/11", "某公司", None, "货款"),
    ("20200112", "东航工会", "139", "参保款"),
]
EXPECTED = [
    (5, date(2020, 1, 10), "黄浦区总工会", 101600, "转账 集中参保 CB201912300001", "HQ202000000001"),
    (7, date(2020, 1, 12), "东航工会", 13900, "转账 参保款", "HQ202000000003"),
]


def as_tuples(read):
    return [(x.row, x.paid_on, x.payer, x.amount_fen, x.memo, x.serial) for x in read.lines]


@pytest.mark.parametrize(
    "encoding, label",
    [
        ("gbk", "GB18030（GBK）"),
        ("gb18030", "GB18030（GBK）"),
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8"),
        ("utf-16", "UTF-16"),
    ],
)
def test_csv_in_the_encodings_banks_write_is_detected_and_read(encoding, label):
    read = read_bank_statement(bank_csv(LINES, encoding=encoding))
    assert as_tuples(read) == EXPECTED
    assert read.layout["code"] == "credit_column" and read.layout["encoding"] == label
    assert read.layout["header_row"] == 4 and read.skipped_rows == [6] and read.footer_rows == [8]


def test_tab_separated_text_saved_as_xls_is_read_as_text():
    read = read_bank_statement(bank_csv(LINES, encoding="gbk", delimiter="\t"))
    assert as_tuples(read) == EXPECTED and read.layout["delimiter"] == "制表符"


@pytest.mark.parametrize(
    "make, kind", [(bank_xls, "xls"), (bank_xlsx, "xlsx"), (lambda lines: bank_xlsx(lines, numbers=True), "xlsx")]
)
def test_workbooks_old_and_new_are_read(make, kind):
    read = read_bank_statement(make(LINES))
    assert as_tuples(read) == EXPECTED and read.layout["file_kind"] == kind
    assert {c["role"]: c["headers"] for c in read.layout["columns"]}["credit"] == ["贷方发生额（收入）"]


def test_a_csv_without_serials_keeps_the_line_rule():
    read = read_bank_statement(bank_csv(LINES, serials=False))
    assert [x.serial for x in read.lines] == ["", ""]
    assert "serial" not in {c["role"] for c in read.layout["columns"]}


@pytest.mark.parametrize("namespace", ["urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", CAMT_08])
def test_camt053_booked_credits_are_lines_debits_and_pending_are_skipped(namespace):
    content = camt053(
        [
            {"date": "2020-01-10", "amount": "630.00", "payer": "黄浦区总工会", "memo": "CB201912300001", "ref": "R1"},
            {"date": "2020-01-10", "amount": "500.00", "payer": "某公司", "way": "DBIT", "ref": "R2"},
            {"date": "2020-01-11", "amount": "1.00", "payer": "某公司", "status": "PDNG", "ref": "R3"},
            {
                "date": "2020-01-12",
                "amount": "269.00",
                "ref": "R4",
                "txs": [
                    {"amount": "130.00", "payer": "黄浦区总工会", "memo": "CB201912300002", "ref": "R4-1"},
                    {"amount": "139.00", "payer": "东航工会", "memo": "CB201912300003"},
                ],
            },
        ],
        namespace,
    )
    read = read_bank_statement(content)
    assert as_tuples(read) == [
        (1, date(2020, 1, 10), "黄浦区总工会", 63000, "CB201912300001", "R1"),
        (4, date(2020, 1, 12), "黄浦区总工会", 13000, "CB201912300002", "R4-1"),
        (4, date(2020, 1, 12), "东航工会", 13900, "CB201912300003", "R4/2"),
    ]
    assert read.skipped_rows == [2, 3]
    assert read.layout["code"] == "camt053" and read.layout["accounts"] == ["316023-03002745697"]
    assert read.layout["version"] == namespace.rsplit(":", 1)[1]


def test_camt053_in_a_foreign_currency_or_without_a_payer_is_refused_by_entry():
    content = camt053(
        [
            {"date": "2020-01-10", "amount": "1.00", "payer": "a", "ccy": "USD"},
            {"date": "2020-01-10", "amount": "1.00", "payer": ""},
            {"date": "2020-01-10", "amount": "1.001", "payer": "b"},
        ]
    )
    with pytest.raises(StatementUnreadable) as exc:
        read_bank_statement(content)
    assert exc.value.code == "ROWS_INVALID"
    assert [(r["row"], r["errors"][0].split("：")[0]) for r in exc.value.extra["rows"]] == [
        (1, "Amt"),
        (2, "Dbtr/Nm"),
        (3, "Amt"),
    ]


BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><x>&lol3;</x></Document>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><x>&xxe;</x></Document>"""


@pytest.mark.parametrize(
    "content, code",
    [
        (BILLION_LAUGHS, "STATEMENT_XML_UNSAFE"),
        (EXTERNAL, "STATEMENT_XML_UNSAFE"),
        (
            b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><a>",
            "STATEMENT_XML_INVALID",
        ),
        (
            b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
            "STATEMENT_NOT_CAMT053",
        ),
        (
            b"<html><body><table><tr><td>\xe4\xba\xa4\xe6\x98\x93\xe6\x97\xa5\xe6\x9c\x9f</td></tr></table></body></html>",
            "STATEMENT_HTML",
        ),
        (b"\x00\x01\x02binary", "STATEMENT_FORMAT_UNKNOWN"),
        (b"%PDF-1.4 a voucher", "STATEMENT_FORMAT_UNKNOWN"),
        ("交易日期,对方户名\n".encode("gbk") + b"\x81\x20\xff\xff", "STATEMENT_ENCODING"),
        (b"", "UPLOAD_EMPTY"),
        ('交易日期,对方户名,贷方发生额,摘要\n2020-01-10,a,"1\n'.encode(), "STATEMENT_CSV_INVALID"),
        ("名称,钱\na,1\n".encode(), "STATEMENT_LAYOUT_UNKNOWN"),
    ],
)
def test_files_it_cannot_read_safely_are_refused_with_a_code(content, code):
    with pytest.raises(Rejected) as exc:
        read_bank_statement(content)
    assert exc.value.code == code and exc.value.message


def test_too_large_is_refused_before_reading():
    from common.errors import TooLarge

    with pytest.raises(TooLarge):
        read_bank_statement(b"x" * 2001, max_bytes=2000)


def test_a_quoted_memo_over_two_lines_is_one_cell():
    content = '交易日期,对方户名,贷方发生额,摘要\n2020-01-10,黄浦区总工会,630.00,"CB201912300001\n参保款"\n'.encode(
        "gbk"
    )
    read = read_bank_statement(content)
    assert [(x.row, x.memo) for x in read.lines] == [(2, "CB201912300001\n参保款")]
