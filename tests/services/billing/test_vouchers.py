"""A batch's vouchers are a list (issue 26 item 1): each kept with its amount, date, file, who and
when; 已上传凭证金额 is the sum of those not withdrawn; one is withdrawn with a reason before 核销;
after 核销 none is added or withdrawn."""

from __future__ import annotations

import io

from tests.services.billing.conftest import HUANGPU, U_HP1, YEAR, at, set_splits
from tests.services.billing.files import PDF, PNG


def _priced_batch(billing) -> int:
    set_splits(billing)
    s = billing.submit(U_HP1, HUANGPU, "A+", {"centralised": 10})
    return billing.batch(HUANGPU, [(s, U_HP1, "A+", {"centralised": 10})])  # due 630.00


def add(client, batch_id, content, filename, amount, paid_on):
    return client.post(
        f"/batches/{batch_id}/vouchers",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(content), filename), "amount": amount, "paid_on": paid_on},
    )


def test_two_vouchers_both_kept_and_summed(billing):
    b = _priced_batch(billing)
    at("2020-01-10T10:00:00")
    first = add(billing.huangpu, b, PNG, "第一笔.png", "537.00", "2020-01-09")
    at("2020-01-11T09:30:00")
    second = add(billing.huangpu, b, PDF, "补缴.pdf", "93.00", "2020-01-11")
    assert (first.status_code, second.status_code) == (201, 201)
    listed = billing.centre.get(f"/batches/{b}/vouchers").json
    assert [(v["filename"], v["amount_fen"], v["paid_on"], v["uploaded_by"], v["withdrawn"]) for v in listed] == [
        ("第一笔.png", 53700, "2020-01-09", "test-district", False),
        ("补缴.pdf", 9300, "2020-01-11", "test-district", False),
    ]
    assert listed[0]["uploaded_at"].startswith("2020-01-10T10:00:00")
    batch = billing.huangpu.get(f"/batches/{b}").json
    assert (batch["voucher_declared_fen"], batch["paid_on"], batch["status"], batch["status_text"]) == (
        63000,
        "2020-01-11",
        "voucher_uploaded",
        "凭证已上传",
    )
    row = next(x for x in billing.centre.get(f"/reconciliation?cover_year={YEAR}").json if x["batch_id"] == b)
    assert (row["voucher_declared_fen"], row["paid_fen"]) == (63000, 0)  # 已缴 is money that arrived
    # each one opens: downloaded, or shown in the page
    one = billing.centre.get(f"/batches/{b}/vouchers/{listed[0]['id']}/file")
    assert one.data == PNG and one.headers["Content-Disposition"].startswith("attachment")
    shown = billing.huangpu.get(f"/batches/{b}/vouchers/{listed[1]['id']}/file?inline=true")
    assert shown.data == PDF and shown.mimetype == "application/pdf"
    assert shown.headers["Content-Disposition"].startswith("inline")
    assert billing.aviation.get(f"/batches/{b}/vouchers/{listed[0]['id']}/file").status_code == 404
    assert billing.aviation.get(f"/batches/{b}/vouchers").status_code == 404
    events = billing.events("billing.voucher.uploaded")
    assert [(e["amount_fen"], e["vouchers_total_fen"]) for e in events] == [(53700, 53700), (9300, 63000)]


def test_withdraw_one_with_a_reason(billing):
    b = _priced_batch(billing)
    at("2020-01-10T10:00:00")
    wrong = add(billing.huangpu, b, PNG, "错传.png", "600", "2020-01-09").json
    add(billing.huangpu, b, PNG, "正确.png", "630", "2020-01-10")
    path = f"/batches/{b}/vouchers/{wrong['id']}/withdrawal"
    r = billing.huangpu.post(path, json={"reason": "  "})
    assert r.status_code == 422 and "撤回原因" in r.json["error"]["fields"]["reason"][0]
    assert billing.centre.post(path, json={"reason": "传错了"}).status_code == 403
    assert billing.aviation.post(path, json={"reason": "传错了"}).status_code == 404
    assert billing.huangpu.post(f"/batches/{b}/vouchers/999999/withdrawal", json={"reason": "x"}).status_code == 404
    r = billing.huangpu.post(path, json={"reason": "传错了文件"})
    assert r.status_code == 200 and r.json["withdrawn"] and r.json["withdraw_reason"] == "传错了文件"
    again = billing.huangpu.post(path, json={"reason": "再撤一次"})
    assert again.status_code == 409 and again.json["error"]["code"] == "VOUCHER_WITHDRAWN"
    listed = billing.huangpu.get(f"/batches/{b}/vouchers").json
    assert [(v["filename"], v["withdrawn"]) for v in listed] == [("错传.png", True), ("正确.png", False)]
    assert billing.huangpu.get(f"/batches/{b}").json["voucher_declared_fen"] == 63000
    assert billing.centre.get(f"/batches/{b}/vouchers/{wrong['id']}/file").data == PNG  # kept, still opens
    withdrawn = billing.events("billing.voucher.withdrawn")
    assert [(e["voucher_id"], e["amount_fen"], e["vouchers_total_fen"], e["payment_status"]) for e in withdrawn] == [
        (wrong["id"], 60000, 63000, "voucher_uploaded")
    ]
    # the last one withdrawn: nothing counts, the batch waits for payment again
    right = listed[1]["id"]
    assert (
        billing.huangpu.post(f"/batches/{b}/vouchers/{right}/withdrawal", json={"reason": "重新上传"}).status_code
        == 200
    )
    batch = billing.huangpu.get(f"/batches/{b}").json
    assert (batch["voucher_declared_fen"], batch["voucher_uploaded_at"], batch["status"]) == (
        0,
        None,
        "awaiting_payment",
    )


def test_after_write_off_no_voucher_is_added_or_withdrawn(billing):
    b = _priced_batch(billing)
    at("2020-01-12T10:00:00")
    v = add(billing.huangpu, b, PNG, "p.png", "630", "2020-01-11").json
    r = billing.centre.post(
        f"/batches/{b}/write-off",
        json={"amount": "630", "received_on": "2020-01-12", "bank_reference": "BOS20200112001"},
    )
    assert r.status_code == 200
    refused = [
        add(billing.huangpu, b, PNG, "p2.png", "1", "2020-01-12"),
        billing.huangpu.post(f"/batches/{b}/vouchers/{v['id']}/withdrawal", json={"reason": "撤回"}),
    ]
    assert [x.status_code for x in refused] == [409, 409]
    assert all(
        x.json["error"]["code"] == "BATCH_WRITTEN_OFF" and "已核销" in x.json["error"]["message"] for x in refused
    )
    assert [x["withdrawn"] for x in billing.huangpu.get(f"/batches/{b}/vouchers").json] == [False]
    assert billing.huangpu.get(f"/batches/{b}").json["voucher_declared_fen"] == 63000


def test_status_follows_feedback_and_the_next_voucher(billing):
    b = _priced_batch(billing)
    at("2020-01-10T10:00:00")
    add(billing.huangpu, b, PNG, "p.png", "537", "2020-01-10")
    at("2020-01-11T10:00:00")
    billing.centre.post(f"/batches/{b}/feedback", json={"message": "金额不足，尚差 93.00 元"})
    assert billing.huangpu.get(f"/batches/{b}").json["status"] == "feedback_given"
    assert billing.events("billing.batch.feedback_given")[0]["payment_status"] == "feedback_given"
    listed = billing.huangpu.get(f"/batches?cover_year={YEAR}&status=feedback_given").json
    assert [x["batch_id"] for x in listed] == [b]
    at("2020-01-12T10:00:00")
    add(billing.huangpu, b, PNG, "p2.png", "93", "2020-01-12")
    assert billing.huangpu.get(f"/batches/{b}").json["status"] == "voucher_uploaded"
    statuses = billing.huangpu.get("/payment-statuses").json
    assert [s["status"] for s in statuses] == [
        "awaiting_payment",
        "voucher_uploaded",
        "feedback_given",
        "part_paid",
        "paid",
        "written_off",
        "overdue",
    ]
    assert billing.huangpu.get("/batches?status=submitted").status_code == 422


def test_the_migration_keeps_every_voucher(database, monkeypatch):
    """Vouchers from before the list: on an open batch a replaced one counts again (the sum of both);
    on a written-off batch it is kept, marked withdrawn, so the closed batch's figures stay."""
    import importlib

    from sqlalchemy import create_engine, text

    from common.identity import Identity
    from common.migrate import upgrade
    from services.billing.handlers import batches, vouchers

    url = database("billing")
    monkeypatch.setenv("BILLING_DATABASE_URL", url)
    runtime = importlib.import_module("services.billing.bootstrap").runtime
    runtime.reset()
    upgrade("billing", "c71d2e9f4a10")  # the revision before the list
    engine = create_engine(url)
    batch_row = (
        "INSERT INTO batches (batch_id, batch_no, district_id, cover_year, mode, headcount, by_type, "
        "submission_ids, premium_fen, city_subsidy_fen, union_share_fen, credit_applied_fen, due_fen, "
        "handler_name, handler_phone, handler_email, submitted_at, priced_at, status, paid_fen, paid_on, "
        "voucher_uploaded_at, bank_matched_fen, written_off_at) VALUES (:id, :no, 1, 2020, 'centralised', "
        "10, '{}', '[]', 100000, 0, 88600, 0, 88600, '张', '1', 'a@b.cn', '2019-12-30T10:00:00+08:00', "
        "'2019-12-30 02:00:00', :status, 9300, '2020-01-11', '2020-01-11 02:00:00', 0, :off)"
    )
    voucher_row = (
        "INSERT INTO vouchers (batch_id, filename, media_type, size, sha256, content, amount_fen, paid_on, "
        "uploaded_at, uploaded_by, current) VALUES (:b, :name, 'image/png', 1, 'x', :content, :amount, "
        ":paid_on, :at, 'district', :current)"
    )
    with engine.begin() as conn:
        for batch_id, no, status, off in (
            (1, "CB0001", "voucher_uploaded", None),
            (2, "CB0002", "written_off", "2020-01-20 02:00:00"),
        ):
            conn.execute(text(batch_row), {"id": batch_id, "no": no, "status": status, "off": off})
            for name, amount, paid_on, moment, current in (
                ("793.png", 79300, "2020-01-09", "2020-01-09 02:00:00", False),
                ("93.png", 9300, "2020-01-11", "2020-01-11 02:00:00", True),
            ):
                conn.execute(
                    text(voucher_row),
                    {
                        "b": batch_id,
                        "name": name,
                        "content": name.encode(),
                        "amount": amount,
                        "paid_on": paid_on,
                        "at": moment,
                        "current": current,
                    },
                )
    engine.dispose()
    upgrade("billing")
    try:
        district = Identity("d", "district", district_id=1)
        with runtime.uow() as work:
            open_batch = [(v.filename, v.withdrawn_at is None) for v in vouchers.list_vouchers(work, district, 1)]
            closed = [(v.filename, v.withdraw_reason) for v in vouchers.list_vouchers(work, district, 2)]
            sums = [batches.get_batch(work, district, b).paid_fen for b in (1, 2)]
            first = vouchers.get_voucher(work, district, 1, 1).content
        assert open_batch == [("793.png", True), ("93.png", True)]
        assert closed == [("793.png", "迁移前已被后一张凭证替换"), ("93.png", None)]
        assert sums == [88600, 9300]
        assert first == b"793.png"  # the first voucher opens again
    finally:
        runtime.reset()
