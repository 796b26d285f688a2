"""Money as it really arrives, over PostgreSQL (issue 26 item 2): several lines for one batch add
up, a batch is 部分到账 until paid in full, one line pays two batches, an over-payment becomes the
district's credit or is recorded refunded at 核销, a line left unmatched is allocated by hand, and
a statement imported again changes nothing."""

from __future__ import annotations

from tests.services.billing.conftest import HUANGPU, YEAR, at
from tests.services.billing.statement_files import bank_csv
from tests.services.billing.test_bank_statements import imported, three_batches
from tests.services.billing.test_owed_and_paid import ledger_sum


def batch(billing, batch_id) -> dict:
    return billing.centre.get(f"/batches/{batch_id}").json


def row(billing, batch_id) -> dict:
    return next(r for r in billing.centre.get(f"/reconciliation?cover_year={YEAR}").json if r["batch_id"] == batch_id)


def test_a_part_payment_then_the_rest_and_the_same_statement_again(billing):
    b1, _, _ = three_batches(billing)  # b1 due 630.00
    first = bank_csv([("2020-01-10", "黄浦区总工会", "400.00", "CB201912300001")], serials=False)
    imported(billing, first, "第一笔.csv")
    got = batch(billing, b1)
    assert (got["status"], got["status_text"], got["money_received_fen"], got["short_fen"]) == (
        "part_paid",
        "部分到账",
        40000,
        23000,
    )
    assert [b["batch_id"] for b in billing.centre.get("/batches?status=part_paid").json] == [b1]
    assert {s["status"] for s in billing.centre.get("/payment-statuses").json} >= {"part_paid", "paid"}
    at("2020-01-16T09:00:00")
    rest = bank_csv([("2020-01-15", "黄浦区总工会", "230.00", "补缴 CB201912300001")], serials=False)
    imported(billing, rest, "第二笔.csv")
    ledger = ledger_sum(billing.centre)
    got = batch(billing, b1)
    assert (got["status"], got["money_received_fen"], got["short_fen"], got["overpaid_fen"]) == ("paid", 63000, 0, 0)
    arrivals = billing.huangpu.get(f"/batches/{b1}/arrivals").json
    assert [(a["amount_fen"], a["method"]) for a in arrivals] == [
        (40000, "MATCHED_BY_BATCH_NO"),
        (23000, "MATCHED_BY_BATCH_NO"),
    ]
    again = imported(billing, first + b"", "第一笔（再次）.csv")
    assert again["duplicate_count"] == 1 and again["matched_count"] == 0
    assert batch(billing, b1)["money_received_fen"] == 63000 and ledger_sum(billing.centre) == ledger
    # each move said once, in billing's words (enrollment shows them); the re-import said nothing
    said = [e for e in billing.events("billing.batch.payment_status_changed") if e["batch_id"] == b1]
    assert [(e["payment_status"], e["payment_status_text"], e["paid_fen"]) for e in said] == [
        ("part_paid", "部分到账", 40000),
        ("paid", "已到账待核销", 63000),
    ]


def test_one_line_pays_two_batches_each_part_on_the_ledger(billing):
    b1, b2, b3 = three_batches(billing)
    result = imported(
        billing,
        bank_csv(
            [
                ("2020-01-10", "黄浦区总工会", "760.00", "CB201912300001 CB201912300002 参保款"),
                ("2020-01-10", "东航工会", "100.00", "CB201912300003 CB201912300001"),  # 139 + 0 ≠ 100
            ],
            serials=False,
        ),
        "两批.csv",
    )
    split, left = result["lines"]
    assert split["reason_code"] == "SPLIT_BY_BATCH_NOS"
    assert [(p["batch_no"], p["amount_fen"]) for p in split["parts"]] == [
        ("CB201912300001", 63000),
        ("CB201912300002", 13000),
    ]
    assert (left["matched"], left["reason_code"], left["parts"]) == (False, "SPLIT_AMOUNT_MISMATCH", [])
    assert [batch(billing, b)["status"] for b in (b1, b2, b3)] == ["paid", "paid", "awaiting_payment"]
    # 核销 is prefilled for each batch the line paid, with its own part
    assert [row(billing, b)["write_off_prefill"]["amount_fen"] for b in (b1, b2)] == [63000, 13000]
    ledger = billing.centre.get("/ledger?per_page=500&account=bank").json["items"]
    parts = sorted((e["batch_id"], e["amount_fen"]) for e in ledger if e["kind"] == "bank_matched")
    assert parts == [(b1, 63000), (b2, 13000)]


def test_an_amount_equal_to_all_open_batches_of_a_district_is_split(billing):
    b1, b2, _ = three_batches(billing)
    [line] = imported(
        billing, bank_csv([("2020-01-10", "黄浦区总工会", "760.00", "参保款")], serials=False), "合计.csv"
    )["lines"]
    assert line["reason_code"] == "SPLIT_OPEN_BATCHES"
    assert [(p["batch_id"], p["amount_fen"]) for p in line["parts"]] == [(b1, 63000), (b2, 13000)]


def test_the_centre_allocates_an_unmatched_line_by_hand(billing):
    b1, b2, b3 = three_batches(billing)
    imported(billing, bank_csv([("2020-01-10", "黄浦区总工会", "500.00", "参保款")], serials=False), "待分配.csv")
    [waiting] = billing.centre.get("/bank-statements/waiting-lines").json
    assert waiting["reason_code"] == "NO_AMOUNT_MATCH" and waiting["reason"]
    path = f"/bank-statements/lines/{waiting['line_id']}/allocation"
    wrong = billing.centre.post(
        path, json={"parts": [{"batch_id": b1, "amount": "400"}, {"batch_id": b2, "amount": "99.99"}]}
    )
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "ALLOCATION_SUM"
    assert "500.00" in wrong.json["error"]["message"]
    assert batch(billing, b1)["money_received_fen"] == 0  # a refusal leaves no trace
    assert billing.huangpu.post(path, json={"parts": [{"batch_id": b1, "amount": "500"}]}).status_code == 403
    done = billing.centre.post(
        path, json={"parts": [{"batch_id": b1, "amount": "400"}, {"batch_id": b2, "amount": "100"}]}
    )
    assert done.status_code == 201, done.text
    assert [(a["batch_id"], a["amount_fen"], a["method"]) for a in done.json] == [
        (b1, 40000, "ALLOCATED_BY_HAND"),
        (b2, 10000, "ALLOCATED_BY_HAND"),
    ]
    assert [batch(billing, b)["status"] for b in (b1, b2)] == ["part_paid", "part_paid"]
    said = billing.events("billing.batch.payment_status_changed")
    assert sorted((e["batch_id"], e["payment_status_text"], e["paid_fen"]) for e in said) == [
        (b1, "部分到账", 40000),
        (b2, "部分到账", 10000),
    ]
    assert billing.centre.get("/bank-statements/waiting-lines").json == []
    twice = billing.centre.post(path, json={"parts": [{"batch_id": b3, "amount": "500"}]})
    assert twice.status_code == 409 and twice.json["error"]["code"] == "LINE_ALREADY_ALLOCATED"


def _overpaid(billing):
    b1, _, _ = three_batches(billing)
    imported(billing, bank_csv([("2020-01-10", "黄浦区总工会", "637.00", "CB201912300001")], serials=False), "多缴.csv")
    r = row(billing, b1)
    assert (r["status"], r["overpaid_fen"], r["overpaid_text"], r["short_fen"]) == ("paid", 700, "多缴 7.00 元", 0)
    return b1


def _write_off(billing, b, **extra):
    return billing.centre.post(
        f"/batches/{b}/write-off",
        json={"amount": "637.00", "received_on": "2020-01-10", "bank_reference": "X1", **extra},
    )


def test_an_over_payment_becomes_next_years_credit_at_write_off(billing):
    b1 = _overpaid(billing)
    refused = _write_off(billing, b1)
    assert refused.status_code == 422 and refused.json["error"]["code"] == "OVERPAYMENT_CHOICE_REQUIRED"
    assert "多缴" in refused.json["error"]["message"] and batch(billing, b1)["written_off_at"] is None
    done = _write_off(billing, b1, overpayment="credit")
    assert done.status_code == 200, done.text
    assert (done.json["overpaid_fen"], done.json["overpaid_choice"], done.json["overpaid_text"]) == (
        700,
        "credit",
        "多缴 7.00 元，已转为下一年度抵扣款",
    )
    [credit] = billing.centre.get(f"/credits?district_id={HUANGPU}").json
    assert (credit["amount_fen"], credit["designated_year"], credit["source_year"], credit["source_batch_id"]) == (
        700,
        YEAR + 1,
        YEAR,
        b1,
    )
    assert credit["memo"] == "批次 CB201912300001 多缴"
    entries = billing.centre.get(f"/ledger?per_page=500&batch_id={b1}").json["items"]
    assert any(e["account"] == "credit" and e["amount_fen"] == 700 and "多缴" in e["note"] for e in entries)
    announced = [e for e in billing.events("billing.credit.available") if e["cover_year"] == YEAR + 1]
    assert announced[-1]["available_fen"] == 700  # carried like 清算分配款


def test_an_over_payment_recorded_refunded_with_who_and_when(billing):
    b1 = _overpaid(billing)
    at("2020-01-17T11:00:00")
    blank = _write_off(billing, b1, overpayment="refund", refund_note="  ")
    assert blank.status_code == 422 and "refund_note" in blank.json["error"]["fields"], blank.json
    done = _write_off(billing, b1, overpayment="refund", refund_note="退款流水 R-9")
    assert done.status_code == 200, done.text
    got = batch(billing, b1)
    assert (got["overpaid_choice"], got["refund_note"], got["overpaid_text"]) == (
        "refund",
        "退款流水 R-9",
        "多缴 7.00 元，已退还",
    )
    assert got["refunded_by"] and got["refunded_at"].startswith("2020-01-17T11:00:00")
    assert billing.centre.get(f"/credits?district_id={HUANGPU}").json == []
    entries = billing.centre.get(f"/ledger?per_page=500&batch_id={b1}").json["items"]
    assert [e["amount_fen"] for e in entries if e["kind"] == "overpaid_refunded"] == [700]
    bad = _write_off(billing, b1, overpayment="keep")
    assert bad.status_code in (409, 422)


def test_a_batch_whose_money_all_arrived_is_not_failed_at_the_deadline(billing):
    b1, b2, _ = three_batches(billing)
    imported(billing, bank_csv([("2020-01-10", "黄浦区总工会", "630.00", "CB201912300001")], serials=False), "全额.csv")
    at("2020-01-21T09:00:00")
    reported = billing.centre.post("/jobs/overdue").json["reported"]
    assert b1 not in reported and b2 in reported  # all of b1 arrived: it waits for 核销, not late
    assert (batch(billing, b1)["status"], batch(billing, b2)["status"]) == ("paid", "overdue")
