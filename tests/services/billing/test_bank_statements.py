"""Bank statements as banks export them, over PostgreSQL (issue 26 items 3 and 4): a statement
imported twice changes nothing and says so, two identical transfers on one day are two lines, and
GBK CSV, .xls and CAMT.053 exports are read with the layout they were recognised by."""

from __future__ import annotations

import threading

from tests.conftest import RoleClient, auth_headers
from tests.services.billing.conftest import AVIATION, HUANGPU, U_AV, U_HP1, U_HP2, at, set_splits
from tests.services.billing.statement_files import bank_csv, bank_xls, bank_xlsx, camt053
from tests.services.billing.test_owed_and_paid import ledger_sum, upload, xlsx


def three_batches(billing):
    set_splits(billing)
    s1 = billing.submit(U_HP1, HUANGPU, "A+", {"centralised": 10})  # due 630.00
    s2 = billing.submit(U_HP2, HUANGPU, "A", {"centralised": 10})  # due 130.00
    s3 = billing.submit(U_AV, AVIATION, "A+", {"centralised": 2})  # due 139.00
    batches = (
        billing.batch(HUANGPU, [(s1, U_HP1, "A+", {"centralised": 10})], batch_no="CB201912300001"),
        billing.batch(HUANGPU, [(s2, U_HP2, "A", {"centralised": 10})], batch_no="CB201912300002"),
        billing.batch(AVIATION, [(s3, U_AV, "A+", {"centralised": 2})], batch_no="CB201912300003"),
    )
    at("2020-01-15T10:00:00")
    return batches


def matched_fen(billing, *batch_ids) -> list[int]:
    return [billing.centre.get(f"/batches/{b}").json["bank_matched_fen"] for b in batch_ids]


def imported(billing, content: bytes, filename: str) -> dict:
    r = upload(billing.centre, "/bank-statements", content, filename)
    assert r.status_code == 201, r.text
    return r.json


# a GBK export with title rows, a debit, a footer; 630.00 paid as 315.00 twice the same day
EXPORT = [
    ("2020-01-10", "黄浦区总工会", "315.00", "CB201912300001 参保款"),
    ("2020-01-10", "黄浦区总工会", "315.00", "CB201912300001 参保款"),
    ("2020-01-10", "某某公司", None, "货款"),
    ("2020/01/11", "黄浦区总工会", "130.00", "参保款"),
    ("20200112", "东航工会", "￥139.00", "CB201912300003"),
]


def test_a_statement_imported_twice_changes_nothing_and_says_so(billing):
    b1, b2, b3 = three_batches(billing)
    content = bank_csv(EXPORT, serials=False)
    first = imported(billing, content, "工行明细.csv")
    assert [(x["row"], x["batch_id"], x["reason_code"]) for x in first["lines"]] == [
        (5, b1, "MATCHED_BY_BATCH_NO"),
        (6, b1, "MATCHED_BY_BATCH_NO"),
        (8, b2, "MATCHED_BY_PAYER_AMOUNT"),
        (9, b3, "MATCHED_BY_BATCH_NO"),
    ]
    assert (first["duplicate_count"], first["skipped_count"], first["skipped_rows"]) == (0, 1, [7])
    assert matched_fen(billing, b1, b2, b3) == [63000, 13000, 13900]
    bank_before = ledger_sum(billing.centre)
    at("2020-01-16T09:30:00")
    again = imported(billing, content, "工行明细（再次导出）.csv")
    assert again["id"] != first["id"]
    assert (again["line_count"], again["matched_count"], again["duplicate_count"]) == (4, 0, 4)
    assert again["duplicate_fen"] == again["total_fen"] == 89900
    for line, earlier in zip(again["lines"], first["lines"], strict=True):
        assert (line["already_imported"], line["reason_code"], line["batch_id"]) == (True, "DUPLICATE_LINE", None)
        assert line["first_seen"]["statement_id"] == first["id"] and line["first_seen"]["row"] == earlier["row"]
        assert (
            line["first_seen"]["batch_no"] == earlier["batch_no"] and line["first_seen"]["filename"] == "工行明细.csv"
        )
        assert line["unmatched_reason"].startswith("已导入过：首次见于 2020-01-15 10:00 导入的「工行明细.csv」")
    assert "当时匹配到批次 CB201912300001" in again["lines"][0]["reason"]
    # nothing moved: what each batch received, the ledger, the first import's own result
    assert matched_fen(billing, b1, b2, b3) == [63000, 13000, 13900]
    assert ledger_sum(billing.centre) == bank_before
    assert billing.centre.get(f"/bank-statements/{first['id']}").json["lines"] == first["lines"]
    assert billing.centre.get(f"/bank-statements/{again['id']}").json["duplicate_count"] == 4


def test_identical_transfers_are_two_lines_and_a_later_export_adds_only_the_new_one(billing):
    b1, _, _ = three_batches(billing)
    same = ("2020-01-10", "黄浦区总工会", "200.00", "CB201912300001")
    first = imported(billing, bank_csv([same, same], serials=False), "a.csv")
    assert [x["reason_code"] for x in first["lines"]] == ["MATCHED_BY_BATCH_NO"] * 2
    assert matched_fen(billing, b1) == [40000]
    # a later export of the same day holds a third identical transfer that arrived afterwards
    later = imported(
        billing,
        bank_csv([same, same, same, ("2020-01-11", "黄浦区总工会", "30.00", "CB201912300001")], serials=False),
        "b.csv",
    )
    assert [x["reason_code"] for x in later["lines"]] == [
        "DUPLICATE_LINE",
        "DUPLICATE_LINE",
        "MATCHED_BY_BATCH_NO",
        "MATCHED_BY_BATCH_NO",
    ]
    assert matched_fen(billing, b1) == [63000]


def test_the_bank_serial_identifies_a_line_across_file_formats(billing):
    b1, _, b3 = three_batches(billing)
    lines = [
        ("2020-01-10", "黄浦区总工会", "630.00", "CB201912300001", "SN001"),
        ("2020-01-11", "东航工会", "139.00", "CB201912300003", "SN002"),
    ]
    first = imported(billing, bank_xlsx(lines, numbers=True), "明细.xlsx")
    assert first["layout"]["file_kind"] == "xlsx" and [x["serial"] for x in first["lines"]] == ["SN001", "SN002"]
    again = imported(billing, bank_csv(lines, encoding="utf-8-sig"), "明细.csv")
    assert again["duplicate_count"] == 2 and matched_fen(billing, b1, b3) == [63000, 13900]


def test_a_gbk_csv_export_says_what_it_recognised(billing):
    three_batches(billing)
    result = imported(billing, bank_csv(EXPORT), "export.csv")
    layout = result["layout"]
    assert (layout["code"], layout["file_kind"], layout["encoding"], layout["header_row"]) == (
        "credit_column",
        "csv",
        "GB18030（GBK）",
        4,
    )
    assert layout["name"] == "银行导出：贷方（收入）金额单列"
    assert {c["role"]: c["headers"] for c in layout["columns"]} == {
        "date": ["交易日期"],
        "payer": ["对方户名"],
        "credit": ["贷方发生额（收入）"],
        "debit": ["借方发生额（支取）"],
        "memo": ["摘要", "用途"],
        "serial": ["交易流水号"],
    }
    assert result["lines"][0]["memo"] == "转账 CB201912300001 参保款"
    assert result["lines"][0]["serial"] == "HQ202000000001"


def test_an_xls_export_is_read_and_matched(billing):
    b1, b2, b3 = three_batches(billing)
    result = imported(billing, bank_xls(EXPORT), "明细.xls")
    assert result["layout"]["file_kind"] == "xls" and result["matched_count"] == 4
    assert matched_fen(billing, b1, b2, b3) == [63000, 13000, 13900]


def test_a_camt053_statement_is_read_and_a_second_delivery_changes_nothing(billing):
    b1, b2, b3 = three_batches(billing)
    content = camt053(
        [
            {"date": "2020-01-10", "amount": "630.00", "payer": "黄浦区总工会", "memo": "CB201912300001", "ref": "R1"},
            {"date": "2020-01-10", "amount": "9.00", "payer": "某某公司", "way": "DBIT", "ref": "R2"},
            {
                "date": "2020-01-12",
                "amount": "269.00",
                "ref": "R3",
                "txs": [
                    {"amount": "130.00", "payer": "黄浦区总工会", "memo": "CB201912300002"},
                    {"amount": "139.00", "payer": "东航工会", "memo": "CB201912300003"},
                ],
            },
        ]
    )
    first = imported(billing, content, "camt053.xml")
    assert first["layout"]["code"] == "camt053" and first["skipped_rows"] == [2]
    assert [(x["row"], x["serial"], x["batch_id"]) for x in first["lines"]] == [
        (1, "R1", b1),
        (3, "R3/1", b2),
        (3, "R3/2", b3),
    ]
    assert matched_fen(billing, b1, b2, b3) == [63000, 13000, 13900]
    again = imported(billing, content, "camt053.xml")
    assert again["duplicate_count"] == 3 and matched_fen(billing, b1, b2, b3) == [63000, 13000, 13900]


def test_a_layout_it_cannot_read_is_refused_naming_the_columns_and_nothing_is_kept(billing):
    b1, _, _ = three_batches(billing)
    content = "交易日期,对方户名,余额,附言\n2020-01-10,黄浦区总工会,630.00,CB201912300001\n".encode("gbk")
    r = upload(billing.centre, "/bank-statements", content, "x.csv")
    assert r.status_code == 422
    error = r.json["error"]
    assert error["code"] == "STATEMENT_LAYOUT_UNKNOWN"
    assert "缺少列：贷方发生额" in error["message"] and "需要的列" in error["message"]
    assert error["missing"] == ["贷方（收入）金额"]
    r = upload(billing.centre, "/bank-statements", bank_csv([("2020-01-10", "黄浦区总工会", "六百", "")]), "x.csv")
    assert r.status_code == 422 and r.json["error"]["rows"] == [
        {"row": 5, "errors": ["贷方发生额（收入）：金额不是有效的数字（例如 1016.00、1,016.00、¥1016）"]}
    ]
    assert matched_fen(billing, b1) == [0]
    # the refused files left nothing: a later import of a real line is its first sighting
    result = imported(billing, bank_csv([("2020-01-10", "黄浦区总工会", "630.00", "CB201912300001")]), "ok.csv")
    assert result["duplicate_count"] == 0 and matched_fen(billing, b1) == [63000]


def test_the_template_still_reads_hand_made_lists(billing):
    b1, _, _ = three_batches(billing)
    template = billing.centre.get("/templates/bank-statement").data
    assert template  # the four columns; a filled-in copy:
    result = imported(
        billing,
        xlsx(["日期", "付款人", "金额", "摘要"], [["2020-01-10", "黄浦区总工会", "630", "CB201912300001"]]),
        "手工.xlsx",
    )
    assert result["layout"]["code"] == "template" and matched_fen(billing, b1) == [63000]


def test_two_imports_of_one_statement_at_once_count_it_once(billing):
    b1, b2, b3 = three_batches(billing)
    content = bank_csv(EXPORT)
    codes: list[int] = []

    def run():
        client = RoleClient(billing.svc.app.test_client(), auth_headers("centre"))  # each thread its own
        codes.append(upload(client, "/bank-statements", content, "c.csv").status_code)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes)[0] == 201 and set(codes) <= {201, 409}
    assert matched_fen(billing, b1, b2, b3) == [63000, 13000, 13900]


def test_lines_imported_before_the_migration_are_recognised_after_it(database, monkeypatch):
    """The migration gives lines already imported their fingerprints, so importing one of those
    statements again lists its lines as 已导入过 — two identical transfers included."""
    import importlib

    from sqlalchemy import create_engine, text

    from common.identity import Identity
    from common.migrate import upgrade
    from services.billing.handlers import bank_statements, statement_results

    url = database("billing")
    monkeypatch.setenv("BILLING_DATABASE_URL", url)
    runtime = importlib.import_module("services.billing.bootstrap").runtime
    runtime.reset()
    upgrade("billing", "a3f08e61c2d4")  # the revision before the fingerprints
    engine = create_engine(url)
    with engine.begin() as conn:
        old = conn.execute(
            text(
                "INSERT INTO bank_statements (filename, uploaded_at, uploaded_by, line_count, matched_count)"
                " VALUES ('旧流水.xlsx', '2020-01-15 02:00:00', 'centre', 3, 0) RETURNING id"
            )
        ).scalar()
        for row, amount in ((2, 20000), (3, 20000), (4, 13000)):
            conn.execute(
                text(
                    "INSERT INTO statement_lines (statement_id, row, paid_on, payer, amount_fen, memo, batch_id,"
                    " reason_code) VALUES (:old, :row, '2020-01-10', '黄浦区总工会', :amount, '参保款', NULL,"
                    " 'PAYER_UNKNOWN')"
                ),
                {"old": old, "row": row, "amount": amount},
            )
    engine.dispose()
    upgrade("billing")
    try:
        content = xlsx(
            ["日期", "付款人", "金额", "摘要"],
            [["2020-01-10", "黄浦区总工会", "200.00", "参保款"]] * 3
            + [["2020-01-10", "黄浦区总工会", "130.00", "参保款"]],
        )
        centre = Identity("centre", "centre")
        with runtime.uow() as work:
            statement = bank_statements.import_bank_statement(work, centre, content, "旧流水（再次导出）.xlsx")
            result = statement_results.statement_result(work, centre, statement.id)
        assert [(x["reason_code"], (x["first_seen"] or {}).get("row")) for x in result["lines"]] == [
            ("DUPLICATE_LINE", 2),
            ("DUPLICATE_LINE", 3),
            ("PAYER_UNKNOWN", None),
            ("DUPLICATE_LINE", 4),
        ]
        assert result["lines"][0]["first_seen"]["filename"] == "旧流水.xlsx"  # the third 200.00 is new
    finally:
        runtime.reset()
