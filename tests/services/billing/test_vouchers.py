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
    return client.post(f"/batches/{batch_id}/vouchers", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(content), filename), "amount": amount, "paid_on": paid_on})


def test_two_vouchers_both_kept_and_summed(billing):
    b = _priced_batch(billing)
    at("2020-01-10T10:00:00")
    first = add(billing.huangpu, b, PNG, "第一笔.png", "537.00", "2020-01-09")
    at("2020-01-11T09:30:00")
    second = add(billing.huangpu, b, PDF, "补缴.pdf", "93.00", "2020-01-11")
    assert (first.status_code, second.status_code) == (201, 201)
    listed = billing.centre.get(f"/batches/{b}/vouchers").json
    assert [(v["filename"], v["amount_fen"], v["paid_on"], v["uploaded_by"], v["withdrawn"]) for v in listed] == [
        ("第一笔.png", 53700, "2020-01-09", "test-district", False), ("补缴.pdf", 9300, "2020-01-11", "test-district", False)]
    assert listed[0]["uploaded_at"].startswith("2020-01-10T10:00:00")
    batch = billing.huangpu.get(f"/batches/{b}").json
    assert (batch["voucher_declared_fen"], batch["paid_on"], batch["status"], batch["status_text"]) == \
        (63000, "2020-01-11", "voucher_uploaded", "凭证已上传")
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
    assert [(e["voucher_id"], e["amount_fen"], e["vouchers_total_fen"], e["payment_status"]) for e in withdrawn] == \
        [(wrong["id"], 60000, 63000, "voucher_uploaded")]
    # the last one withdrawn: nothing counts, the batch waits for payment again
    right = listed[1]["id"]
    assert billing.huangpu.post(f"/batches/{b}/vouchers/{right}/withdrawal", json={"reason": "重新上传"}).status_code == 200
    batch = billing.huangpu.get(f"/batches/{b}").json
    assert (batch["voucher_declared_fen"], batch["voucher_uploaded_at"], batch["status"]) == (0, None, "awaiting_payment")


def test_after_write_off_no_voucher_is_added_or_withdrawn(billing):
    b = _priced_batch(billing)
    at("2020-01-12T10:00:00")
    v = add(billing.huangpu, b, PNG, "p.png", "630", "2020-01-11").json
    r = billing.centre.post(f"/batches/{b}/write-off", json={"amount": "630", "received_on": "2020-01-12",
                                                             "bank_reference": "BOS20200112001"})
    assert r.status_code == 200
    refused = [add(billing.huangpu, b, PNG, "p2.png", "1", "2020-01-12"),
               billing.huangpu.post(f"/batches/{b}/vouchers/{v['id']}/withdrawal", json={"reason": "撤回"})]
    assert [x.status_code for x in refused] == [409, 409]
    assert all(x.json["error"]["code"] == "BATCH_WRITTEN_OFF" and "已核销" in x.json["error"]["message"]
               for x in refused)
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
    assert [s["status"] for s in statuses] == ["awaiting_payment", "voucher_uploaded", "feedback_given", "written_off",
                                                "overdue"]
    assert billing.huangpu.get("/batches?status=submitted").status_code == 422
