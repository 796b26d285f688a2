"""What is owed and paid: pricing submissions and batches, credits, ledger, vouchers, feedback,
write-off (issue 5 items 3–6, 9)."""

from __future__ import annotations

import io

from common.excel import Column, SheetSpec, write_workbook
from tests.services.billing.conftest import AVIATION, HUANGPU, U_AV, U_HP1, U_HP2, YEAR, at, set_splits
from tests.services.billing.files import PNG


def xlsx(columns: list[str], rows: list[list]) -> bytes:
    return write_workbook([SheetSpec("上传", [Column(c) for c in columns], rows)])


def upload(client, path, content: bytes, filename: str, **form):
    return client.post(path, data={"file": (io.BytesIO(content), filename), **form}, content_type="multipart/form-data")


def ledger_sum(client, **filters) -> dict:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    items = client.get(f"/ledger?per_page=500&{query}").json["items"]
    sums = {}
    for item in items:
        sums[item["account"]] = sums.get(item["account"], 0) + item["amount_fen"]
    return sums


def test_submission_priced_with_the_union_share_and_half_years(billing):
    set_splits(billing)
    sid = billing.submit(U_HP1, HUANGPU, "B", {"instant_first_half": 3, "instant_second_half": 2}, mode="instant")
    billing.submit(U_HP1, HUANGPU, "B", {"instant_first_half": 3}, mode="instant")
    priced = billing.events("billing.submission.priced")[0]
    # 3 × 90 + 2 × 45 = 360; city 3 × 40 + 2 × 20 = 160; grassroots 3 × 25 + 2 × 12.50 = 100
    assert priced == {
        "submission_id": sid,
        "union_id": U_HP1,
        "district_id": HUANGPU,
        "cover_year": YEAR,
        "type": "B",
        "mode": "instant",
        "headcount": 5,
        "premium_fen": 36000,
        "city_subsidy_fen": 16000,
        "district_share_fen": 10000,
        "grassroots_share_fen": 10000,
        "grassroots_owes_fen": 10000,
        "pay_by": "2019-12-16",
    }  # instant: 15 days (the default) after submitting on 12-01
    cs = billing.submit(U_HP2, HUANGPU, "A", {"centralised": 10})
    g2 = billing.svc.as_("grassroots", union_id=U_HP2, district_id=HUANGPU)
    mine = g2.get(f"/submissions?cover_year={YEAR}").json["items"]
    assert [s["submission_id"] for s in mine] == [cs]
    assert mine[0]["grassroots_owes_fen"] == 13000 and mine[0]["pay_by"] == "2019-12-27"
    assert billing.huangpu.get("/submissions").json["total"] == 3
    assert billing.aviation.get("/submissions").json == {"total": 0, "items": []}
    assert [x["submission_id"] for x in billing.huangpu.get("/submissions?per_page=2&page=2").json["items"]] == [cs]
    # a redelivered event has one effect
    billing.feed(
        "enrollment.submission.submitted",
        {
            "submission_id": cs,
            "union_id": U_HP2,
            "district_id": HUANGPU,
            "cover_year": YEAR,
            "type": "A",
            "mode": "centralised",
            "counts": {"centralised": 10},
            "headcount": 10,
            "submitted_at": "x",
        },
    )
    assert len(billing.events("billing.submission.priced")) == 3
    assert ledger_sum(billing.centre, union_id=U_HP2) == {"grassroots_to_district": 13000}
    # a returned submission is owed no more, and the ledger says why
    billing.feed(
        "enrollment.submission.returned",
        {"submission_id": cs, "union_id": U_HP2, "district_id": HUANGPU, "reason": "名单有误"},
    )
    assert ledger_sum(billing.centre, union_id=U_HP2) == {"grassroots_to_district": 0}
    dash = billing.svc.as_("grassroots", union_id=U_HP2, district_id=HUANGPU).get(f"/dashboard/{YEAR}").json
    assert dash["unions"] == [] and dash["districts"] == []


def test_batch_due_is_union_share_less_credit_carried_forward(billing):
    set_splits(billing)
    r = billing.centre.post(
        "/credits",
        json={
            "district_id": HUANGPU,
            "source_year": 2018,
            "designated_year": YEAR,
            "amount": "1000.00",
            "memo": "2018年会员计划退回金额",
        },
    )
    assert r.status_code == 201, r.text
    assert billing.events("billing.credit.available")[-1] == {
        "district_id": HUANGPU,
        "cover_year": YEAR,
        "available_fen": 100000,
        "version": 1,
    }
    s1 = billing.submit(U_HP1, HUANGPU, "A+", {"centralised": 10})
    s2 = billing.submit(U_HP2, HUANGPU, "A", {"centralised": 20})
    b1 = billing.batch(HUANGPU, [(s1, U_HP1, "A+", {"centralised": 10}), (s2, U_HP2, "A", {"centralised": 20})])
    priced = billing.events("billing.batch.priced")[0]
    assert {e["schema_version"] for e in billing.svc.outbox() if e["type"] == "billing.batch.priced"} == {3}
    # premium 760 + 520 = 1280; city 130 + 260 = 390; union share 890; credit 890 of 1000 used; due 0
    assert (priced["premium_fen"], priced["city_subsidy_fen"], priced["union_share_fen"]) == (128000, 39000, 89000)
    assert (priced["credit_applied_fen"], priced["due_fen"], priced["pay_by"]) == (89000, 0, "2020-01-20")
    # the union share's split (schema 3, docs/terms.md): A 20 × (district 0 + grassroots 13), A+ 10 × (63 + 0)
    assert priced["by_type"] == [
        {
            "type": "A",
            "headcount": 20,
            "premium_fen": 52000,
            "city_subsidy_fen": 26000,
            "union_share_fen": 26000,
            "district_share_fen": 0,
            "grassroots_share_fen": 26000,
        },
        {
            "type": "A+",
            "headcount": 10,
            "premium_fen": 76000,
            "city_subsidy_fen": 13000,
            "union_share_fen": 63000,
            "district_share_fen": 63000,
            "grassroots_share_fen": 0,
        },
    ]
    assert (priced["district_share_fen"], priced["grassroots_share_fen"]) == (63000, 26000)
    assert billing.events("billing.credit.available")[-1]["available_fen"] == 11000
    s3 = billing.submit(U_HP1, HUANGPU, "B+", {"centralised": 5})
    b2 = billing.batch(HUANGPU, [(s3, U_HP1, "B+", {"centralised": 5})])
    second = billing.huangpu.get(f"/batches/{b2}").json
    # union share 5 × 100 = 500; the 110 left over is used; due 390
    assert (second["union_share_fen"], second["credit_applied_fen"], second["due_fen"]) == (50000, 11000, 39000)
    # the ledger explains every amount and re-derives the totals
    for batch_id in (b1, b2):
        batch = billing.centre.get(f"/batches/{batch_id}").json
        assert ledger_sum(billing.centre, batch_id=batch_id)["district_to_centre"] == batch["due_fen"]
    assert ledger_sum(billing.huangpu)["credit"] == 0
    entries = billing.huangpu.get(f"/ledger?batch_id={b2}").json["items"]
    assert any("抵扣清算分配款 110.00 元" in e["note"] for e in entries)
    assert all(e["recorded_by"].startswith("enrollment.batch.submitted ") for e in entries)
    credit_entry = billing.huangpu.get("/ledger?per_page=500").json["items"]
    assert [e["recorded_by"] for e in credit_entry if e["kind"] == "credit_recorded"] == ["test-centre"]
    # the batch is a district's and the centre's: another district cannot see it
    hidden, missing = billing.aviation.get(f"/batches/{b1}"), billing.aviation.get("/batches/99999")
    assert hidden.status_code == missing.status_code == 404 and hidden.json == missing.json
    assert billing.grassroots.get("/batches").status_code == 403
    at("2020-01-10T10:00:00")
    dash = billing.huangpu.get(f"/dashboard/{YEAR}").json
    # Dates and their names are the cover year's (enrollment's /cover-years); billing only says when it acts.
    assert (dash["payment_deadline"], dash["days_to_payment_deadline"]) == (
        "2020-01-20",
        10,
    ) and "deadlines" not in dash
    assert dash["districts"][0]["due_fen"] == 39000 and dash["districts"][0]["outstanding_fen"] == 39000
    assert dash["districts"][0]["by_type"]["A+"] == {"headcount": 10, "premium_fen": 76000, "union_share_fen": 63000}
    assert {u["union_id"]: u["grassroots_owes_fen"] for u in dash["unions"]} == {U_HP1: 25000, U_HP2: 26000}


def test_special_industry_batch_and_no_credit(billing):
    set_splits(billing)
    s = billing.submit(U_AV, AVIATION, "A+", {"centralised": 4})
    b = billing.batch(AVIATION, [(s, U_AV, "A+", {"centralised": 4})])
    batch = billing.aviation.get(f"/batches/{b}").json
    assert (batch["city_subsidy_fen"], batch["union_share_fen"], batch["due_fen"]) == (2600, 27800, 27800)


def test_credits_from_excel_all_or_nothing(billing):
    bad = xlsx(
        ["区局（产业）工会", "清算年度", "抵扣年度", "金额", "备注"],
        [
            ["黄浦区总工会", 2018, 2020, "500.50", ""],
            ["不存在区总工会", 2018, 2020, "100", ""],
            ["东航工会", 2018, 2020, "abc", ""],
            ["东航工会", 2018, 2020, "1.234", ""],
        ],
    )
    r = upload(billing.centre, "/credits/import", bad, "credits.xlsx")
    assert r.status_code == 422, r.text
    assert [row["row"] for row in r.json["error"]["rows"]] == [3, 4, 5]
    assert billing.centre.get("/credits").json == []
    missing = xlsx(["区局（产业）工会", "金额"], [["黄浦区总工会", "1"]])
    r = upload(billing.centre, "/credits/import", missing, "credits.xlsx")
    assert r.status_code == 422 and "缺少列" in r.json["error"]["message"]
    good = xlsx(
        ["区局（产业）工会", "清算年度", "抵扣年度", "金额", "备注"],
        [["黄浦区总工会", 2018, 2020, 500.5, ""], ["东航工会", "2018", "2020", "88", "清算"]],
    )
    r = upload(billing.centre, "/credits/import", good, "credits.xlsx")
    assert r.status_code == 201, r.text
    assert [(c["district_id"], c["amount_fen"]) for c in billing.centre.get("/credits").json] == [
        (HUANGPU, 50050),
        (AVIATION, 8800),
    ]
    assert [c["district_id"] for c in billing.aviation.get("/credits").json] == [AVIATION]
    assert upload(billing.huangpu, "/credits/import", good, "c.xlsx").status_code == 403
    r = billing.centre.post(
        "/credits", json={"district_id": HUANGPU, "source_year": 2018, "designated_year": YEAR, "amount": "-5"}
    )
    assert r.status_code == 422


def _priced_batch(billing) -> int:
    set_splits(billing)
    s = billing.submit(U_HP1, HUANGPU, "A+", {"centralised": 10})
    return billing.batch(HUANGPU, [(s, U_HP1, "A+", {"centralised": 10})])  # due 630.00


def test_voucher_checked_by_content_each_one_kept(billing, monkeypatch):
    b = _priced_batch(billing)
    at("2020-01-10T10:00:00")
    path = f"/batches/{b}/voucher"
    r = upload(billing.huangpu, path, b"just text, named like a photo", "pay.jpg", amount="630", paid_on="2020-01-09")
    assert r.status_code == 422 and r.json["error"]["code"] == "VOUCHER_TYPE"
    monkeypatch.setenv("BILLING_VOUCHER_MAX_BYTES", "1000")
    r = upload(billing.huangpu, path, PNG + b"\x00" * 2000, "big.png", amount="630", paid_on="2020-01-09")
    assert r.status_code == 413 and r.json["error"]["code"] == "VOUCHER_TOO_LARGE"
    monkeypatch.delenv("BILLING_VOUCHER_MAX_BYTES")
    for amount in ("abc", "-1", "6.301"):
        assert upload(billing.huangpu, path, PNG, "p.png", amount=amount, paid_on="2020-01-09").status_code == 422
    assert billing.huangpu.get(path).status_code == 404
    assert billing.huangpu.get(f"/batches/{b}").json["status"] == "awaiting_payment"
    other = upload(billing.aviation, path, PNG, "p.png", amount="630", paid_on="2020-01-09")
    assert other.status_code == 404
    assert upload(billing.grassroots, path, PNG, "p.png", amount="630", paid_on="2020-01-09").status_code == 403
    r = upload(billing.huangpu, path, PNG, "voucher.pdf", amount="600", paid_on="2020-01-09")
    assert r.status_code == 201 and r.json["media_type"] == "image/png"
    pdf = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF"
    r = upload(billing.huangpu, path, pdf, "voucher2.pdf", amount="630.00", paid_on="2020-01-10")
    assert r.status_code == 201, r.text
    download = billing.centre.get(path)
    assert download.status_code == 200 and download.data == pdf
    batch = billing.centre.get(f"/batches/{b}").json
    assert (batch["paid_fen"], batch["status"]) == (123000, "voucher_uploaded")  # both kept, summed
    assert [v["amount_fen"] for v in billing.events("billing.voucher.uploaded")] == [60000, 63000]


def test_feedback_write_off_and_nothing_changes_after(billing):
    b = _priced_batch(billing)
    at("2020-01-12T10:00:00")
    upload(billing.huangpu, f"/batches/{b}/voucher", PNG, "p.png", amount="600", paid_on="2020-01-11")
    row = next(x for x in billing.centre.get(f"/reconciliation?cover_year={YEAR}").json if x["batch_id"] == b)
    # 已缴 is money received, not a voucher's word: the voucher's amount is its own figure (SPEC §7).
    assert (row["due_fen"], row["paid_fen"], row["voucher_declared_fen"], row["difference_fen"]) == (
        63000,
        0,
        60000,
        63000,
    )
    district = billing.huangpu.get(f"/dashboard/{YEAR}").json["districts"][0]
    assert (district["paid_fen"], district["voucher_declared_fen"]) == (0, 60000)
    assert billing.huangpu.get("/reconciliation").status_code == 403
    r = billing.centre.post(f"/batches/{b}/feedback", json={"message": "金额不足，尚差 30.00 元"})
    assert r.status_code == 201
    assert billing.huangpu.get(f"/batches/{b}/feedback").json[0]["message"] == "金额不足，尚差 30.00 元"
    assert billing.aviation.get(f"/batches/{b}/feedback").status_code == 404
    assert billing.huangpu.post(f"/batches/{b}/feedback", json={"message": "x"}).status_code == 403
    upload(billing.huangpu, f"/batches/{b}/voucher", PNG, "p2.png", amount="630", paid_on="2020-01-12")
    for bad in (
        {"amount": "630", "received_on": "2020-02-01", "bank_reference": "X1"},  # in the future
        {"amount": 630.0, "received_on": "2020-01-12", "bank_reference": "X1"},
        {"amount": "630", "received_on": "2020-01-12", "bank_reference": ""},
    ):
        assert billing.centre.post(f"/batches/{b}/write-off", json=bad).status_code == 422
    r = billing.centre.post(
        f"/batches/{b}/write-off",
        json={"amount": "630", "received_on": "2020-01-12", "bank_reference": "BOS20200112001"},
    )
    assert r.status_code == 200 and r.json["status"] == "written_off"
    assert billing.events("billing.batch.written_off")[0]["amount_fen"] == 63000
    before = billing.centre.get(f"/batches/{b}").json
    refused = [
        upload(billing.huangpu, f"/batches/{b}/voucher", PNG, "p3.png", amount="1", paid_on="2020-01-12"),
        billing.centre.post(f"/batches/{b}/feedback", json={"message": "again"}),
        billing.centre.post(
            f"/batches/{b}/write-off", json={"amount": "1", "received_on": "2020-01-12", "bank_reference": "Y"}
        ),
    ]
    assert [x.status_code for x in refused] == [409, 409, 409]
    assert all(x.json["error"]["code"] == "BATCH_WRITTEN_OFF" for x in refused)
    assert billing.centre.get(f"/batches/{b}").json == before
    assert ledger_sum(billing.centre, batch_id=b)["district_to_centre"] == 0
    assert billing.huangpu.get(f"/dashboard/{YEAR}").json["districts"][0]["outstanding_fen"] == 0


def test_credit_left_over_is_announced_for_a_year_configured_later(billing):
    from tests.services.billing.conftest import TIMELINE

    set_splits(billing)
    billing.centre.post(
        "/credits", json={"district_id": HUANGPU, "source_year": 2018, "designated_year": YEAR, "amount": "100"}
    )
    s = billing.submit(U_HP1, HUANGPU, "A", {"centralised": 2})  # union share 26.00
    billing.batch(HUANGPU, [(s, U_HP1, "A", {"centralised": 2})])
    billing.feed("enrollment.cover_year.configured", {**TIMELINE, "cover_year": 2021, "version": 1})
    latest = billing.events("billing.credit.available")[-1]
    assert (latest["district_id"], latest["cover_year"], latest["available_fen"]) == (HUANGPU, 2021, 7400)
    assert latest["version"] == 3


def test_a_consumer_batch_that_prices_and_returns_a_submission_sees_its_own_rows(billing):
    """The rows a batch of deliveries writes are held and written together (issue 16): a
    submission returned in the batch that priced it is still found, and a duplicate in the same
    batch still has one effect."""
    from common.db import envelope
    from services.billing.handlers import pricing

    set_splits(billing)
    data = {
        "submission_id": 7001,
        "union_id": U_HP2,
        "district_id": HUANGPU,
        "cover_year": YEAR,
        "type": "A",
        "mode": "centralised",
        "counts": {"centralised": 10},
        "headcount": 10,
        "submitted_at": "2019-12-01T10:00:00+08:00",
    }
    submitted = [envelope("enrollment.submission.submitted", data, "enrollment") for _ in range(2)]
    returned = envelope(
        "enrollment.submission.returned",
        {"submission_id": 7001, "union_id": U_HP2, "district_id": HUANGPU, "reason": "名单有误"},
        "enrollment",
    )
    with billing.svc.runtime.uow() as uow:
        uow.batch = [*submitted, returned]
        for event in submitted:
            pricing.price_submission_when_submitted(uow, event)
        pricing.release_submission_when_returned(uow, returned)
        uow.commit()
    assert len(billing.events("billing.submission.priced")) == 1
    items = billing.centre.get(f"/ledger?per_page=500&union_id={U_HP2}").json["items"]
    assert sorted(i["kind"] for i in items) == ["submission_priced", "submission_returned"]
    assert ledger_sum(billing.centre, union_id=U_HP2) == {"grassroots_to_district": 0}


def test_a_voucher_named_with_a_control_character_downloads(billing):
    """Issue 23 item 5b: `v\\x1a.png` made every later download of the voucher a 500 (a control
    character in Content-Disposition). The name is cleaned at the door and every download is
    named the one safe way."""
    b = _priced_batch(billing)
    at("2020-01-10T10:00:00")
    path = f"/batches/{b}/voucher"
    r = upload(billing.huangpu, path, PNG, "v\x1a\u202e.png", amount="630", paid_on="2020-01-09")
    assert r.status_code == 201 and r.json["filename"] == "v.png", r.json
    download = billing.centre.get(path)
    assert download.status_code == 200 and download.data == PNG
    header = download.headers["Content-Disposition"]
    assert all(31 < ord(ch) < 127 for ch in header) and "filename*=UTF-8''v.png" in header
    detail = billing.centre.get(f"/batches/{b}/payment-detail.xlsx")
    assert detail.status_code == 200 and "filename*=UTF-8''%E9%9B%86" in detail.headers["Content-Disposition"]


def test_billing_alone_says_what_a_union_owes_for_the_year_and_where_a_district_pays(billing, monkeypatch):
    """One owner per fact (issue 25): a centralised submission.priced carries the union's year so
    far (its centralised submissions still owed, this one included); batch.priced carries billing's payee."""
    monkeypatch.setenv("BILLING_PAYEE_ACCOUNT", "316023-00000000001")
    set_splits(billing)
    s1 = billing.submit(U_HP1, HUANGPU, "B", {"centralised": 3})
    billing.submit(U_HP1, HUANGPU, "B", {"instant_first_half": 1}, mode="instant")  # instant: numbered apart
    s2 = billing.submit(U_HP1, HUANGPU, "B", {"centralised": 2})
    billing.feed(
        "enrollment.submission.returned",
        {"submission_id": s1, "union_id": U_HP1, "district_id": HUANGPU, "reason": "名单有误"},
    )
    s3 = billing.submit(U_HP1, HUANGPU, "B", {"centralised": 1})
    priced = {e["submission_id"]: e for e in billing.events("billing.submission.priced")}
    owes = {s: priced[s]["grassroots_owes_fen"] for s in (s1, s2, s3)}
    assert [priced[s]["union_owes_to_date_fen"] for s in (s1, s2, s3)] == [
        owes[s1],
        owes[s1] + owes[s2],
        owes[s2] + owes[s3],
    ]
    b = billing.batch(HUANGPU, [(s2, U_HP1, "B", {"centralised": 2})])
    batch = next(e for e in billing.events("billing.batch.priced") if e["batch_id"] == b)
    assert batch["payee"] == {
        "account_name": "上海市职工保障互助中心会员专享保障专户",
        "account_no": "316023-00000000001",
        "bank": "上海银行人民广场支行",
    }
