"""Bank-statement import, the payment deadline job and the payment detail e-mail (issue 5
items 6–8), with a real SMTP server on loopback."""

from __future__ import annotations

import email
import threading

import pytest

from common import clock
from services.billing.handlers import overdue as payments
from services.billing.jobs import main as jobs_main
from tests.services.billing.conftest import AVIATION, HUANGPU, U_AV, U_HP1, U_HP2, YEAR, at, set_splits
from tests.services.billing.smtp import loopback_smtp
from tests.services.billing.test_owed_and_paid import upload, xlsx


def report_overdue(runtime) -> list[int]:
    with runtime.uow() as work:
        return payments.report_overdue(work)


COLUMNS = ["日期", "付款人", "金额", "摘要"]


def three_batches(billing):
    set_splits(billing)
    s1 = billing.submit(U_HP1, HUANGPU, "A+", {"centralised": 10})  # due 630.00
    s2 = billing.submit(U_HP2, HUANGPU, "A", {"centralised": 10})  # due 130.00
    s3 = billing.submit(U_AV, AVIATION, "A+", {"centralised": 2})  # due 139.00
    return (
        billing.batch(HUANGPU, [(s1, U_HP1, "A+", {"centralised": 10})], batch_no="CB201912300001"),
        billing.batch(HUANGPU, [(s2, U_HP2, "A", {"centralised": 10})], batch_no="CB201912300002"),
        billing.batch(AVIATION, [(s3, U_AV, "A+", {"centralised": 2})], batch_no="CB201912300003"),
    )


def test_bank_statement_matched_or_listed_with_reasons(billing):
    b1, b2, b3 = three_batches(billing)
    at("2020-01-15T10:00:00")
    content = xlsx(
        COLUMNS,
        [
            ["2020-01-10", "黄浦区总工会", "630.00", "集中参保 CB201912300001"],
            ["2020-01-11", "黄浦区总工会", 130, "参保款"],
            ["2020-01-11", "东航工会", "100", "参保款"],
            ["2020-01-12", "某某公司", "139", ""],
        ],
    )
    r = upload(billing.centre, "/bank-statements", content, "流水.xlsx")
    assert r.status_code == 201, r.text
    lines = [(x["row"], x["batch_id"], x["reason_code"]) for x in r.json["lines"]]
    assert lines == [
        (2, b1, "MATCHED_BY_BATCH_NO"),
        (3, b2, "MATCHED_BY_PAYER_AMOUNT"),
        (4, None, "NO_AMOUNT_MATCH"),
        (5, None, "PAYER_UNKNOWN"),
    ]
    assert r.json["matched_count"] == 2 and all(x["reason"] for x in r.json["lines"])
    # A matched line names its batch and how; an unmatched one only why; and a summary of both.
    first, third = r.json["lines"][0], r.json["lines"][2]
    assert (first["batch_no"], first["match_method"], first["unmatched_reason"]) == (
        "CB201912300001",
        "按摘要中的批次编号匹配",
        None,
    )
    assert (third["batch_no"], third["match_method"]) == (None, None) and "没有应缴金额" in third["unmatched_reason"]
    assert (r.json["line_count"], r.json["matched_count"], r.json["unmatched_count"]) == (4, 2, 2)
    assert (r.json["total_fen"], r.json["matched_fen"], r.json["unmatched_fen"]) == (99900, 76000, 23900)
    rows = {x["batch_id"]: x for x in billing.centre.get("/reconciliation").json}
    assert (rows[b1]["bank_matched_fen"], rows[b1]["difference_fen"]) == (63000, 0)
    # 核销 of a matched batch comes prefilled from its statement line; an unmatched batch has none.
    assert rows[b1]["write_off_prefill"] == {
        "amount_fen": 63000,
        "received_on": "2020-01-10",
        "bank_reference": "",  # this statement has no serial column: typed from the receipt, never the memo
    }
    assert rows[b3]["write_off_prefill"] is None
    assert rows[b3]["difference_fen"] == 13900
    assert billing.centre.get(f"/bank-statements/{r.json['id']}").json["lines"][0]["batch_id"] == b1
    assert billing.huangpu.get(f"/bank-statements/{r.json['id']}").status_code == 403
    # the same statement again: nothing counted twice
    again = upload(billing.centre, "/bank-statements", content, "流水.xlsx")
    assert [x["reason_code"] for x in again.json["lines"]][:2] == ["DUPLICATE_LINE", "DUPLICATE_LINE"]
    assert billing.centre.get(f"/batches/{b1}").json["bank_matched_fen"] == 63000


def test_bad_bank_statements_are_refused_and_change_nothing(billing):
    b1, _, _ = three_batches(billing)
    r = upload(
        billing.centre,
        "/bank-statements",
        xlsx(["日期", "付款人", "金额"], [["2020-01-10", "黄浦区总工会", "1"]]),
        "s.xlsx",
    )
    assert r.status_code == 422 and "缺少列：摘要" in r.json["error"]["message"]
    r = upload(
        billing.centre,
        "/bank-statements",
        xlsx(
            COLUMNS,
            [
                ["2020-01-10", "黄浦区总工会", "630.00", "CB201912300001"],
                ["2020-01-10", "黄浦区总工会", "六百", ""],
                ["昨天", "黄浦区总工会", "1.005", ""],
            ],
        ),
        "s.xlsx",
    )
    assert r.status_code == 422
    assert [(x["row"], len(x["errors"])) for x in r.json["error"]["rows"]] == [(3, 1), (4, 2)]
    r = upload(billing.centre, "/bank-statements", b"%PDF-1.4 not a workbook", "s.xlsx")
    assert r.status_code == 422 and r.json["error"]["code"] == "STATEMENT_FORMAT_UNKNOWN"
    assert "PDF" in r.json["error"]["message"]
    assert billing.centre.get(f"/batches/{b1}").json["bank_matched_fen"] == 0


def test_overdue_reported_exactly_once_even_if_run_twice_or_late(billing):
    b1, b2, b3 = three_batches(billing)
    at("2020-01-15T10:00:00")
    billing.centre.post(
        f"/batches/{b2}/write-off", json={"amount": "130", "received_on": "2020-01-15", "bank_reference": "R1"}
    )
    at("2020-01-20T23:59:00")
    assert report_overdue(billing.svc.runtime) == []  # the deadline day is still in time
    at("2020-02-03T08:00:00")  # run late
    assert sorted(report_overdue(billing.svc.runtime)) == sorted([b1, b3])
    assert report_overdue(billing.svc.runtime) == []
    assert jobs_main(["overdue"]) == 0
    assert billing.centre.post("/jobs/overdue").json == {"reported": []}
    overdue = billing.events("billing.batch.overdue")
    assert sorted(e["batch_id"] for e in overdue) == sorted([b1, b3])
    assert next(e for e in overdue if e["batch_id"] == b1) == {
        "batch_id": b1,
        "batch_no": "CB201912300001",
        "district_id": HUANGPU,
        "cover_year": YEAR,
        "due_fen": 63000,
        "paid_fen": 0,
        "payment_status": "overdue",
        "payment_status_text": "逾期未缴费，参保失败",
    }
    assert billing.centre.get(f"/batches/{b1}").json["status"] == "overdue"
    assert billing.centre.get(f"/batches/{b2}").json["status"] == "written_off"
    assert billing.huangpu.post("/jobs/overdue").status_code == 403


def test_overdue_is_enforced_by_the_database_under_concurrent_runs(billing):
    three_batches(billing)
    at("2020-02-03T08:00:00")
    results = []
    threads = [threading.Thread(target=lambda: results.append(report_overdue(billing.svc.runtime))) for _ in range(4)]
    clock_value = clock.now()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert clock.now() == clock_value
    assert sum(len(r) for r in results) == 3
    assert len(billing.events("billing.batch.overdue")) == 3


@pytest.fixture
def smtp_server():
    with loopback_smtp() as server:
        yield server


def test_payment_detail_mailed_once_over_real_smtp(billing, smtp_server, monkeypatch):
    port, received = smtp_server
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    b1, _, _ = three_batches(billing)
    priced = next(e for e in billing.events("billing.batch.priced") if e["batch_id"] == b1)
    billing.feed("billing.batch.priced", priced, producer="billing")
    billing.feed("billing.batch.priced", priced, producer="billing")  # a second delivery sends nothing
    assert len(received) == 1
    recipients, raw = received[0]
    assert recipients == ["jingban@example.cn"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "集中参保缴费明细 CB201912300001"
    assert message["Date"].endswith("+0800")  # Shanghai time, never UTC
    body = message.get_body(("plain",)).get_content()
    assert "应缴 630.00 元" in body and "2020-01-20" in body and "316023-03002745697" in body
    # 参保资金总额 is every premium; the split of the unions' share is billing's (docs/terms.md)
    assert (
        f"合计 {priced['headcount']} 人，参保资金总额 {priced['premium_fen'] / 100:.2f} 元，市总统一划拨 "
        f"{priced['city_subsidy_fen'] / 100:.2f} 元，区局（产业）工会承担 {priced['district_share_fen'] / 100:.2f} 元，"
        f"基层单位承担 {priced['grassroots_share_fen'] / 100:.2f} 元（工会承担 {priced['union_share_fen'] / 100:.2f} 元）。"
    ) in body
    assert "用途/附言：CB201912300001" in body
    attachment = next(message.iter_attachments())
    from common.excel import read_upload

    sheet = read_upload(attachment.get_content())
    assert sheet.rows[0][0] == "保障类型" and sheet.rows[-1][-1] == 630.00  # a number cell, in yuan


def test_payment_detail_written_to_folder_without_smtp(billing, monkeypatch, tmp_path):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    b1, _, _ = three_batches(billing)
    priced = next(e for e in billing.events("billing.batch.priced") if e["batch_id"] == b1)
    billing.feed("billing.batch.priced", priced, producer="billing")
    files = list((tmp_path / "mail").glob("*.eml"))
    assert [f.name for f in files] == ["CB201912300001.eml"]
    assert (
        "630.00"
        in email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
        .get_body(("plain",))
        .get_content()
    )


def test_templates_read_back_by_the_importers(billing):
    from common.excel import read_upload

    for name, first in (("bank-statement", "日期"), ("credits", "区局（产业）工会")):
        r = billing.centre.get(f"/templates/{name}")
        assert r.status_code == 200 and read_upload(r.data).rows[0][0] == first
    assert billing.huangpu.get("/templates/credits").status_code == 403


def test_overdue_job_as_a_long_running_process_reports_once(billing):
    import os
    import subprocess
    import sys
    import time

    from common.config import ROOT

    three_batches(billing)
    env = {**os.environ, "CLOCK_NOW": "2020-02-03T08:00:00"}
    process = subprocess.Popen(
        [sys.executable, "-m", "services.billing.jobs", "overdue", "--every", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while len(billing.events("billing.batch.overdue")) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # several more rounds
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0
    assert len(billing.events("billing.batch.overdue")) == 3


def test_payment_detail_workbook_downloads_for_the_batch_district_only(billing):
    from common.excel import read_upload

    b1, _, b3 = three_batches(billing)
    r = billing.huangpu.get(f"/batches/{b1}/payment-detail.xlsx")
    assert r.status_code == 200
    rows = read_upload(r.data).rows
    assert rows[0][2:] == [
        "参保资金总额（元）",
        "市总统一划拨（元）",
        "区局（产业）工会承担（元）",
        "基层单位承担（元）",
        "工会承担（元）",
    ]
    assert rows[1][:2] == ["A+类", 10] and rows[-1] == ["应缴", "", "", "", "", "", 630.00]  # number cells
    assert billing.huangpu.get(f"/batches/{b3}/payment-detail.xlsx").status_code == 404
    assert billing.grassroots.get(f"/batches/{b1}/payment-detail.xlsx").status_code == 403
