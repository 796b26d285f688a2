"""Billing through the gateway with every process real (gateway, services under gunicorn,
workers, PostgreSQL, RabbitMQ, and an SMTP server on loopback).

The season: the centre configures 2020 at enrollment (real endpoint) → the district sets its
split → submissions and batches are priced (enrollment's contract events, published on the
exchange by the test, so that enrollment's member-dependent flow is not involved) → the
payment detail arrives by e-mail → the district notice (documents) and billing's ledger agree →
voucher → centre feedback → bank statement matched → written off; another district's batch
misses the deadline and is reported overdue exactly once.

Then the scope table: every billing endpoint × every role outside its scope → refused or
answered like a missing record, never leaking another union's or district's data."""

from __future__ import annotations

import email
import email.policy
import io
import re
import uuid
from datetime import UTC, date, datetime

import pytest
from kombu import Producer
from pypdf import PdfReader
from sqlalchemy import text

from common.bus import connect, exchanges
from common.config import BusSettings
from common.excel import Column, SheetSpec, write_workbook
from deploy.seed import credit_code
from tests.conftest import AMQP_URL
from tests.services.billing.files import PNG
from tests.services.billing.smtp import loopback_smtp
from tests.services.billing.statement_files import bank_csv

YEAR = 2020
TIMELINE = {
    "split_window": ["2019-10-25", "2019-10-31"],
    "grassroots_window": ["2019-11-01", "2019-12-27"],
    "district_review_window": ["2019-11-01", "2019-12-27"],
    "district_submit_window": ["2019-12-28", "2019-12-31"],
    "card_cutoff": "2019-12-31",
    "cover_start": "2020-01-01",
    "cover_end": "2020-12-31",
    "payment_deadline": "2020-01-20",
    "claims_deadline": "2021-12-31",
}


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def xlsx(columns, rows) -> bytes:
    return write_workbook([SheetSpec("上传", [Column(c) for c in columns], rows)])


def envelope(event_type: str, data: dict) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "schema_version": 1,
        "producer": "enrollment",
        "data": data,
    }


@pytest.fixture(scope="module")
def smtp():
    with loopback_smtp() as server:
        yield server


@pytest.fixture(scope="module")
def system(smtp):
    """The whole system, with billing's mail going to the loopback SMTP server."""
    from tests.system import System

    running = System(
        clock="2019-10-20T09:00:00", extra_env={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp[0])}
    ).start()
    yield running
    running.stop()


class Season:
    def __init__(self, system, smtp):
        self.system, self.mail = system, smtp[1]
        self.settings = BusSettings(
            url=AMQP_URL, exchange=system.env["BUS_EXCHANGE"], queue_prefix=system.env["BUS_QUEUE_PREFIX"]
        )
        self.centre = system.login("centre")
        self.district = system.login("district")
        self.g1, self.g2 = system.login("grassroots1"), system.login("grassroots2")
        self.d1 = self.district.account["district_id"]
        self.u1, self.u2 = self.g1.account["union_id"], self.g2.account["union_id"]

    def publish(self, event_type: str, data: dict) -> None:
        """Onto the topic exchange, as enrollment's relay would."""
        event = envelope(event_type, data)
        with connect(self.settings) as conn:
            producer = Producer(conn.channel(), exchange=exchanges(self.settings)[0], serializer="json")
            producer.publish(
                event,
                routing_key=event_type,
                message_id=event["id"],
                delivery_mode=2,
                headers={"event_type": event_type},
            )

    def billing_scalar(self, sql: str, **params):
        with self.system.db("billing").connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def wait_billing(self, sql: str, message: str, **params):
        return self.system.wait_for(lambda: self.billing_scalar(sql, **params), timeout=60, message=message)

    def submission(self, submission_id, union_id, district_id, cover_type, n):
        self.publish(
            "enrollment.submission.submitted",
            {
                "submission_id": submission_id,
                "union_id": union_id,
                "district_id": district_id,
                "cover_year": YEAR,
                "type": cover_type,
                "mode": "centralised",
                "kind": None,
                "counts": {"centralised": n},
                "headcount": n,
                "union_headcount_total": n,
                "submitted_at": "2019-11-05T10:00:00+08:00",
                "sequence": 1,
            },
        )

    def batch(self, batch_id, batch_no, district_id, subs):
        by_type = {}
        for _, _, t, n in subs:
            by_type[t] = by_type.get(t, 0) + n
        self.publish(
            "enrollment.batch.submitted",
            {
                "batch_id": batch_id,
                "batch_no": batch_no,
                "district_id": district_id,
                "cover_year": YEAR,
                "mode": "centralised",
                "submitted_at": "2019-12-30T10:00:00+08:00",
                "handler": {"name": "张经办", "phone": "13800000000", "email": f"batch{batch_id}@hp.example.cn"},
                "submissions": [
                    {"submission_id": s, "union_id": u, "type": t, "headcount": n, "counts": {"centralised": n}}
                    for s, u, t, n in subs
                ],
                "headcount_by_type": by_type,
                "headcount": sum(by_type.values()),
            },
        )


@pytest.fixture(scope="module")
def season(system, smtp):
    s = Season(system, smtp)
    # another district (a special industry: lower city subsidy) with a union, through members
    other = s.centre.post(
        "/api/v1/members/districts",
        json={"name": "中国金融工会上海委员会", "kind": "industry", "special_industry": True},
    )
    assert other.status_code == 201, other.text
    s.d2 = other.json()["id"]
    union = s.centre.post(
        "/api/v1/members/unions",
        json={
            "name": "中国银行上海分行工会",
            "credit_code": credit_code("91310000MA1FL0088"),
            "district_id": s.d2,
            "contact_person": "陈静",
            "phone": "13900000088",
        },
    )
    assert union.status_code == 201, union.text
    s.u3 = union.json()["id"]
    s.wait_billing("SELECT count(*) FROM union_view WHERE union_id = :u", "billing's directory", u=s.u3)
    configured = s.centre.put(f"/api/v1/enrollment/cover-years/{YEAR}", json=TIMELINE)
    assert configured.status_code in (200, 201), configured.text
    # the timeline as configured here, not an earlier one of the same year (the demo seed's)
    s.wait_billing(
        "SELECT count(*) FROM cover_year_view WHERE cover_year = :y AND split_start = :start",
        "billing's timeline",
        y=YEAR,
        start=date.fromisoformat(TIMELINE["split_window"][0]),
    )
    return s


def test_a_season_priced_paid_reconciled_and_one_batch_overdue(season):
    s, system = season, season.system
    # ---- the split, in its window only, summing exactly
    system.set_clock("2019-11-02T09:00:00")
    late = s.district.put(
        f"/api/v1/billing/splits/{YEAR}", json={"types": {"A+": {"district_share": "63", "grassroots_share": "0"}}}
    )
    assert late.status_code == 409 and "2019-10-25 至 2019-10-31" in late.json()["error"]["message"]
    system.set_clock("2019-10-28T09:00:00")
    wrong = s.district.put(
        f"/api/v1/billing/splits/{YEAR}", json={"types": {"A+": {"district_share": "60", "grassroots_share": "0"}}}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["difference_fen"] == {"A+": 300}
    split = s.district.put(
        f"/api/v1/billing/splits/{YEAR}",
        json={
            "types": {
                "A+": {"district_share": "63.00", "grassroots_share": "0"},
                "A": {"district_share": "0", "grassroots_share": "13"},
                "B": {"district_share": "25", "grassroots_share": "25"},
                "B+": {"district_share": "50", "grassroots_share": "50"},
            }
        },
    )
    assert split.status_code == 200, split.text
    assert s.g1.get(f"/api/v1/billing/rates/{YEAR}").json()["rates"][0]["premium_fen"] == 2600

    # ---- submissions priced: what each union owes its district
    system.set_clock("2019-11-05T10:00:00")
    s.submission(9001, s.u1, s.d1, "A+", 10)
    s.submission(9002, s.u2, s.d1, "A", 20)
    s.submission(9003, s.u3, s.d2, "A", 5)
    s.wait_billing("SELECT count(*) = 3 FROM submissions", "three submissions priced")
    mine = s.g2.get(f"/api/v1/billing/submissions?cover_year={YEAR}").json()["items"]
    assert [(x["submission_id"], x["grassroots_owes_fen"], x["pay_by"]) for x in mine] == [(9002, 26000, "2019-12-27")]

    # ---- a settlement credit, then the batches
    credit = s.centre.post(
        "/api/v1/billing/credits",
        json={"district_id": s.d1, "source_year": 2018, "designated_year": YEAR, "amount": "500.00"},
    )
    assert credit.status_code == 201, credit.text
    system.set_clock("2019-12-30T10:00:00")
    s.batch(7001, "CB201912300001", s.d1, [(9001, s.u1, "A+", 10), (9002, s.u2, "A", 20)])
    s.batch(7002, "CB201912300002", s.d2, [(9003, s.u3, "A", 5)])
    s.wait_billing("SELECT count(*) = 2 FROM batches", "two batches priced")
    b1 = s.district.get("/api/v1/billing/batches/7001").json()
    # A+ 10 × (76 − 13) + A 20 × (26 − 13) = 890.00; credit 500.00; due 390.00
    assert (b1["union_share_fen"], b1["credit_applied_fen"], b1["due_fen"]) == (89000, 50000, 39000)
    b2 = s.centre.get("/api/v1/billing/batches/7002").json()
    assert (b2["city_subsidy_fen"], b2["due_fen"]) == (3250, 9750)  # special industry: city pays 6.50

    # ---- the payment detail by e-mail, once, to the handler
    message = system.wait_for(
        lambda: next((m for m in s.mail if m[0] == ["batch7001@hp.example.cn"]), None),
        timeout=60,
        message="the payment detail e-mail",
    )
    body = email.message_from_bytes(message[1], policy=email.policy.default).get_body(("plain",)).get_content()
    assert "CB201912300001" in body and "应缴 390.00 元" in body

    # ---- the district notice (documents) and billing's ledger agree
    notice = system.wait_for(
        lambda: (r := s.district.get("/api/v1/documents/district-notices/7001/file")).status_code == 200 and r,
        timeout=90,
        message="the district notice",
    )
    ledger = s.district.get("/api/v1/billing/ledger?batch_id=7001&per_page=100").json()["items"]
    owed = sum(e["amount_fen"] for e in ledger if e["account"] == "district_to_centre")
    applied = -sum(e["amount_fen"] for e in ledger if e["kind"] == "credit_applied" and e["account"] == "credit")
    assert (owed, applied) == (39000, 50000)
    words = pdf_text(notice.content)
    assert "清算分配款500.00元" in words and "剩余参保资金（应缴）390.00元" in words and "2020年1月20日" in words

    # ---- voucher: type by content, own batch only; feedback; a second voucher
    system.set_clock("2020-01-10T10:00:00")
    fake = s.district.post(
        "/api/v1/billing/batches/7001/voucher",
        data={"amount": "380", "paid_on": "2020-01-09"},
        files={"file": ("pay.jpg", b"not an image at all")},
    )
    assert fake.status_code == 422 and fake.json()["error"]["code"] == "VOUCHER_TYPE"
    short = s.district.post(
        "/api/v1/billing/batches/7001/voucher",
        data={"amount": "380", "paid_on": "2020-01-09"},
        files={"file": ("pay.png", PNG)},
    )
    assert short.status_code == 201, short.text
    row = next(
        r for r in s.centre.get(f"/api/v1/billing/reconciliation?cover_year={YEAR}").json() if r["batch_id"] == 7001
    )
    # 已缴 is money received; the voucher's 380.00 is shown as its own figure until money is matched.
    assert (row["due_fen"], row["paid_fen"], row["voucher_declared_fen"], row["difference_fen"]) == (
        39000,
        0,
        38000,
        39000,
    )
    assert (
        s.centre.post("/api/v1/billing/batches/7001/feedback", json={"message": "金额不足，尚差 10.00 元"}).status_code
        == 201
    )
    assert s.district.get("/api/v1/billing/batches/7001/feedback").json()[0]["message"] == "金额不足，尚差 10.00 元"
    # the 10.00 top-up is a second voucher beside the first, never in its place: both summed
    again = s.district.post(
        "/api/v1/billing/batches/7001/vouchers",
        data={"amount": "10.00", "paid_on": "2020-01-10"},
        files={"file": ("pay2.png", PNG)},
    )
    assert again.status_code == 201
    assert [v["amount_fen"] for v in s.centre.get("/api/v1/billing/batches/7001/vouchers").json()] == [38000, 1000]
    assert s.district.get("/api/v1/billing/batches/7001").json()["voucher_declared_fen"] == 39000

    # ---- the bank statement (its last lines of the 12th): matched by batch number; the rest
    # listed with reasons
    system.set_clock("2020-01-13T10:00:00")
    missing_column = s.centre.post(
        "/api/v1/billing/bank-statements",
        files={"file": ("s.xlsx", xlsx(["日期", "付款人", "金额"], [["2020-01-10", "x", "1"]]))},
    )
    assert missing_column.status_code == 422
    statement = s.centre.post(
        "/api/v1/billing/bank-statements",
        files={
            "file": (
                "流水.xlsx",
                xlsx(
                    ["日期", "付款人", "金额", "摘要"],
                    [
                        ["2020-01-10", "黄浦区总工会", "390.00", "CB201912300001 集中参保"],
                        ["2020-01-11", "某公司", "12.00", "货款"],
                    ],
                ),
            )
        },
    )
    assert statement.status_code == 201, statement.text
    assert [(x["batch_id"], x["reason_code"]) for x in statement.json()["lines"]] == [
        (7001, "MATCHED_BY_BATCH_NO"),
        (None, "PAYER_UNKNOWN"),
    ]
    # the same list again changes nothing and says so; the bank's own export (GBK CSV) is read as it is
    again = s.centre.post(
        "/api/v1/billing/bank-statements",
        files={
            "file": (
                "流水.xlsx",
                xlsx(
                    ["日期", "付款人", "金额", "摘要"],
                    [
                        ["2020-01-10", "黄浦区总工会", "390.00", "CB201912300001 集中参保"],
                        ["2020-01-11", "某公司", "12.00", "货款"],
                    ],
                ),
            )
        },
    )
    assert again.status_code == 201, again.text
    assert [x["reason_code"] for x in again.json()["lines"]] == ["DUPLICATE_LINE", "DUPLICATE_LINE"]
    assert again.json()["lines"][0]["first_seen"]["statement_id"] == statement.json()["id"]
    export = s.centre.post(
        "/api/v1/billing/bank-statements",
        files={
            "file": (
                "明细.csv",
                bank_csv([("2020-01-12", "某某基金会", "50.00", "捐款"), ("2020-01-12", "某公司", None, "付款")]),
            )
        },
    )
    assert export.status_code == 201, export.text
    assert (export.json()["layout"]["code"], export.json()["layout"]["encoding"], export.json()["skipped_count"]) == (
        "credit_column",
        "GB18030（GBK）",
        1,
    )
    assert [x["reason_code"] for x in export.json()["lines"]] == ["PAYER_UNKNOWN"]

    # ---- written off; nothing changes afterwards
    done = s.centre.post(
        "/api/v1/billing/batches/7001/write-off",
        json={"amount": "390.00", "received_on": "2020-01-10", "bank_reference": "BOS-20200110-0001"},
    )
    assert done.status_code == 200 and done.json()["status"] == "written_off"
    after = [
        s.district.post(
            "/api/v1/billing/batches/7001/voucher",
            data={"amount": "1", "paid_on": "2020-01-10"},
            files={"file": ("p.png", PNG)},
        ),
        s.centre.post("/api/v1/billing/batches/7001/feedback", json={"message": "再次反馈"}),
        s.centre.post(
            "/api/v1/billing/batches/7001/write-off",
            json={"amount": "1", "received_on": "2020-01-10", "bank_reference": "X"},
        ),
    ]
    assert [r.status_code for r in after] == [409, 409, 409]

    # ---- the deadline: the other batch is reported overdue exactly once, however often the job runs
    system.set_clock("2020-01-20T23:00:00")
    assert "reported overdue: 0" in system.python("-m", "services.billing.jobs", "overdue").stdout
    system.set_clock("2020-01-22T09:00:00")
    assert "[7002]" in system.python("-m", "services.billing.jobs", "overdue").stdout
    system.python("-m", "services.billing.jobs", "overdue")
    assert s.centre.post("/api/v1/billing/jobs/overdue").json() == {"reported": []}
    assert s.billing_scalar("SELECT count(*) FROM outbox WHERE type = 'billing.batch.overdue'") == 1
    system.wait_for(
        lambda: (
            s.billing_scalar("SELECT count(*) FROM outbox WHERE type = 'billing.batch.overdue' AND sent_at IS NOT NULL")
            == 1
        ),
        message="the overdue event published",
    )
    assert s.centre.get("/api/v1/billing/batches/7002").json()["status"] == "overdue"
    figures = {d["district_id"]: d for d in s.centre.get(f"/api/v1/billing/dashboard/{YEAR}").json()["districts"]}
    assert (figures[s.d1]["outstanding_fen"], figures[s.d1]["paid_fen"]) == (0, 39000)
    assert (figures[s.d2]["outstanding_fen"], figures[s.d2]["overdue_batches"]) == (9750, 1)
    assert len([m for m in s.mail if m[0] == ["batch7001@hp.example.cn"]]) == 1


def test_scope_table_every_billing_endpoint_every_role(season):
    """Each row: who, what, expected status. 404 rows must answer exactly like a missing record."""
    s = season
    system = s.system
    system.wait_for(
        lambda: s.billing_scalar("SELECT count(*) FROM batches WHERE batch_id = 7002"),
        message="the other district's batch",
    )
    statement_id = s.billing_scalar("SELECT max(id) FROM bank_statements") or 1
    api = "/api/v1/billing"
    png = {"files": {"file": ("p.png", PNG)}, "data": {"amount": "1", "paid_on": "2020-01-01"}}
    split = {"json": {"types": {"A": {"district_share": "0", "grassroots_share": "13"}}}}
    write_off = {"json": {"amount": "1", "received_on": "2020-01-01", "bank_reference": "X"}}
    credit = {"json": {"district_id": s.d2, "source_year": 2018, "designated_year": YEAR, "amount": "1"}}
    upload = {"files": {"file": ("x.xlsx", xlsx(["日期"], [["x"]]))}}
    prices = {"json": {"entries": []}}
    # (sessions refused by role) for role-gated endpoints
    role_rows = [
        ("PUT", f"/price-tables/{YEAR}", prices, (s.district, s.g1)),
        ("GET", f"/splits/{YEAR}", {}, (s.g1,)),
        ("PUT", f"/splits/{YEAR}", split, (s.centre, s.g1)),
        ("PUT", f"/splits/{YEAR}/unions/{s.u1}", split, (s.centre, s.g1)),
        ("GET", "/batches", {}, (s.g1, s.g2)),
        ("GET", "/batches/7001", {}, (s.g1,)),
        ("POST", "/batches/7002/voucher", png, (s.centre, s.g1)),
        ("GET", "/batches/7001/voucher", {}, (s.g1,)),
        ("GET", "/batches/7001/feedback", {}, (s.g1,)),
        ("GET", "/batches/7001/payment-detail.xlsx", {}, (s.g1,)),
        ("POST", "/batches/7002/feedback", {"json": {"message": "x"}}, (s.district, s.g1)),
        ("POST", "/batches/7002/write-off", write_off, (s.district, s.g1)),
        ("GET", "/reconciliation", {}, (s.district, s.g1)),
        ("GET", "/credits", {}, (s.g1,)),
        ("POST", "/credits", credit, (s.district, s.g1)),
        ("POST", "/credits/import", upload, (s.district, s.g1)),
        ("POST", "/bank-statements", upload, (s.district, s.g2)),
        ("GET", f"/bank-statements/{statement_id}", {}, (s.district, s.g1)),
        ("GET", "/templates/bank-statement", {}, (s.district, s.g1)),
        ("GET", "/templates/credits", {}, (s.district, s.g2)),
        ("POST", "/jobs/overdue", {}, (s.district, s.g2)),
    ]
    for method, path, kwargs, refused in role_rows:
        for session in refused:
            response = session.request(method, api + path, **kwargs)
            assert response.status_code == 403, (session.account["username"], method, path, response.text)
    # out of scope: answered exactly like a record that does not exist
    scope_rows = [
        (s.district, "GET", "/batches/7002", "/batches/987654", {}),
        (s.district, "GET", "/batches/7002/voucher", "/batches/987654/voucher", {}),
        (s.district, "GET", "/batches/7002/feedback", "/batches/987654/feedback", {}),
        (s.district, "GET", "/batches/7002/payment-detail.xlsx", "/batches/987654/payment-detail.xlsx", {}),
        (s.district, "POST", "/batches/7002/voucher", "/batches/987654/voucher", png),
        (s.district, "PUT", f"/splits/{YEAR}/unions/{s.u3}", f"/splits/{YEAR}/unions/987654", split),
        (s.district, "GET", f"/rates/{YEAR}?union_id={s.u3}", f"/rates/{YEAR}?union_id=987654", {}),
    ]
    for session, method, path, missing, kwargs in scope_rows:
        hidden = session.request(method, api + path, **kwargs)
        absent = session.request(method, api + missing, **kwargs)
        assert hidden.status_code == absent.status_code == 404, (method, path, hidden.text)
        assert hidden.json() == absent.json()
    # lists: only what is in scope, whatever the query asks for
    assert {b["district_id"] for b in s.district.get(f"{api}/batches?district_id={s.d2}").json()} == {s.d1}
    assert {c["district_id"] for c in s.district.get(f"{api}/credits?district_id={s.d2}").json()} <= {s.d1}
    assert {x["union_id"] for x in s.g1.get(f"{api}/submissions?union_id={s.u2}").json()["items"]} <= {s.u1}
    assert {x["district_id"] for x in s.district.get(f"{api}/submissions").json()["items"]} == {s.d1}
    assert {e["union_id"] for e in s.g1.get(f"{api}/ledger?union_id={s.u2}").json()["items"]} <= {s.u1}
    assert {e["district_id"] for e in s.district.get(f"{api}/ledger?district_id={s.d2}").json()["items"]} <= {s.d1}
    assert s.g1.get(f"{api}/rates/{YEAR}?union_id={s.u2}").json()["union_id"] == s.u1
    assert [r["type"] for r in s.district.get(f"{api}/splits/{YEAR}?district_id={s.d2}").json()][:1] == ["A"]
    assert {
        r["city_subsidy_fen"]
        for r in s.district.get(f"{api}/splits/{YEAR}?district_id={s.d2}").json()
        if r["type"] == "A"
    } == {1300}  # its own (ordinary) district, not the special one asked for
    g1_dash = s.g1.get(f"{api}/dashboard/{YEAR}").json()
    assert g1_dash["districts"] == [] and [u["union_id"] for u in g1_dash["unions"]] == [s.u1]
    d_dash = s.district.get(f"{api}/dashboard/{YEAR}").json()
    assert [d["district_id"] for d in d_dash["districts"]] == [s.d1]
    assert {u["union_id"] for u in d_dash["unions"]} == {s.u1, s.u2}
    # nothing the refused calls tried was applied
    assert s.billing_scalar("SELECT count(*) FROM vouchers WHERE batch_id = 7002") == 0
    assert s.billing_scalar("SELECT count(*) FROM feedback WHERE batch_id = 7002") == 0
    assert s.billing_scalar("SELECT count(*) FROM credits WHERE district_id = :d", d=s.d2) == 0
