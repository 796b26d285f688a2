"""Who is late (账龄) and the reminders that escalate, over PostgreSQL (issue 26 item 7)."""

from __future__ import annotations

from tests.services.billing.conftest import YEAR, at
from tests.services.billing.statement_files import bank_csv
from tests.services.billing.test_bank_statements import imported, three_batches


def test_batches_aged_past_the_pay_by_with_due_paid_and_short(billing):
    b1, b2, b3 = three_batches(billing)  # pay-by: the year's payment deadline, 2020-01-20
    imported(billing, bank_csv([("2020-01-10", "黄浦区总工会", "400.00", "CB201912300001")], serials=False), "a.csv")
    before = billing.centre.get(f"/ageing?cover_year={YEAR}").json
    assert {b["bucket"] for b in before["batches"]} == {"not_due"}
    at("2020-01-25T09:00:00")
    aged = billing.centre.get(f"/ageing?cover_year={YEAR}").json
    got = {
        b["batch_id"]: (b["days_past"], b["bucket"], b["due_fen"], b["paid_fen"], b["short_fen"])
        for b in aged["batches"]
    }
    assert got == {
        b1: (5, "days_1_7", 63000, 40000, 23000),
        b2: (5, "days_1_7", 13000, 0, 13000),
        b3: (5, "days_1_7", 13900, 0, 13900),
    }
    buckets = {x["bucket"]: (x["count"], x["short_fen"]) for x in aged["buckets"]}
    assert buckets == {"not_due": (0, 0), "days_1_7": (3, 49900), "days_8_30": (0, 0), "over_30": (0, 0)}
    districts = {d["district_name"]: d["short_fen"] for d in aged["districts"]}
    assert districts == {"黄浦区总工会": 36000, "东航工会": 13900}
    mine = billing.huangpu.get(f"/ageing?cover_year={YEAR}").json  # a district sees its own
    assert sorted(b["batch_id"] for b in mine["batches"]) == [b1, b2]
    at("2020-03-01T09:00:00")
    assert {b["bucket"] for b in billing.centre.get("/ageing").json["batches"]} == {"over_30"}


def test_reminders_escalate_one_step_at_a_time_each_recorded(billing):
    b1, b2, _ = three_batches(billing)
    imported(billing, bank_csv([("2020-01-10", "东航工会", "139.00", "CB201912300003")], serials=False), "a.csv")
    run = lambda: billing.centre.post("/jobs/payment-reminders").json["reminded"]
    assert run() == []  # not due yet
    at("2020-01-21T09:00:00")
    assert sorted((r["batch_id"], r["step"]) for r in run()) == [(b1, "first_notice"), (b2, "first_notice")]
    assert run() == []  # once per step
    at("2020-01-28T09:00:00")
    assert sorted((r["batch_id"], r["step"]) for r in run()) == [(b1, "escalated"), (b2, "escalated")]
    at("2020-02-21T09:00:00")
    assert sorted((r["batch_id"], r["step"]) for r in run()) == [(b1, "centre_list"), (b2, "centre_list")]
    assert run() == []
    events = [e for e in billing.events("billing.batch.payment_reminder") if e["batch_id"] == b1]
    assert [(e["step"], e["escalated"], e["days_past"], e["short_fen"]) for e in events] == [
        ("first_notice", False, 1, 63000),
        ("escalated", True, 8, 63000),
        ("centre_list", True, 32, 63000),
    ]
    row = next(b for b in billing.centre.get("/ageing").json["batches"] if b["batch_id"] == b1)
    assert [r["step"] for r in row["reminders"]] == ["first_notice", "escalated", "centre_list"]
    assert row["on_centre_list"] and row["reminders"][1]["recipient"].startswith("区局经办人")
    assert all(r["by"] for r in row["reminders"])
    assert billing.huangpu.post("/jobs/payment-reminders").status_code == 403
