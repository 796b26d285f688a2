"""Instant enrolment's pay-by (decision 0018): a union pays its district within the cover year's
`instant_payment_days` of its instant submission, a district the centre within as many days of its
JB batch; a JB batch unpaid after its own pay-by is overdue, a CB batch still after the year's
payment deadline."""

from __future__ import annotations

from services.billing.adapters.orm import Batch
from services.billing.handlers import overdue as payments
from tests.services.billing.conftest import HUANGPU, TIMELINE, U_HP1, U_HP2, YEAR, at, set_splits


def report_overdue(billing) -> list[int]:
    with billing.svc.runtime.uow() as work:
        return payments.report_overdue(work)


def one_person_jb_batch(billing, batch_no: str, submitted_at: str = "2020-03-10T15:00:00+08:00") -> int:
    """An instant A+ submission of one first-half card holder (union share 63.00) in its own JB batch."""
    counts = {"instant_first_half": 1}
    sub = billing.submit(U_HP1, HUANGPU, "A+", counts, mode="instant", submitted_at="2020-03-09T09:00:00+08:00")
    return billing.batch(
        HUANGPU, [(sub, U_HP1, "A+", counts)], batch_no=batch_no, mode="instant", submitted_at=submitted_at
    )


def test_instant_pay_by_is_the_configured_days_after_the_shanghai_day_of_submission(billing):
    set_splits(billing)
    # the year as configured before the field existed: the default, 15 days
    first = billing.submit(
        U_HP1, HUANGPU, "A+", {"instant_first_half": 1}, mode="instant", submitted_at="2020-03-10T10:00:00+08:00"
    )
    billing.feed("enrollment.cover_year.configured", {**TIMELINE, "instant_payment_days": 10, "version": 2})
    # 16:30 UTC on the 10th is already the 11th in Shanghai
    late_evening = billing.submit(
        U_HP1, HUANGPU, "A+", {"instant_second_half": 2}, mode="instant", submitted_at="2020-03-10T16:30:00+00:00"
    )
    central = billing.submit(U_HP2, HUANGPU, "A", {"centralised": 3})
    pay_by = {e["submission_id"]: e["pay_by"] for e in billing.events("billing.submission.priced")}
    assert pay_by == {first: "2020-03-25", late_evening: "2020-03-21", central: "2019-12-27"}
    mine = billing.grassroots.get(f"/submissions?cover_year={YEAR}").json["items"]
    assert {s["submission_id"]: s["pay_by"] for s in mine} == {first: "2020-03-25", late_evening: "2020-03-21"}


def test_a_jb_batch_is_priced_with_its_own_pay_by_and_a_cb_batch_with_the_years(billing):
    set_splits(billing)
    billing.feed("enrollment.cover_year.configured", {**TIMELINE, "instant_payment_days": 20, "version": 2})
    s1 = billing.submit(
        U_HP1, HUANGPU, "A+", {"instant_first_half": 2}, mode="instant", submitted_at="2020-03-09T09:00:00+08:00"
    )
    jb = billing.batch(
        HUANGPU,
        [(s1, U_HP1, "A+", {"instant_first_half": 2})],
        batch_no="JB202003100001",
        mode="instant",
        submitted_at="2020-03-10T15:00:00+08:00",
    )
    s2 = billing.submit(U_HP2, HUANGPU, "A", {"centralised": 3})
    cb = billing.batch(HUANGPU, [(s2, U_HP2, "A", {"centralised": 3})], batch_no="CB201912300001")
    priced = {e["batch_id"]: e for e in billing.events("billing.batch.priced")}
    # JB: 2 × A+ 76 = 152, city 26, union share 126 (district 63 each), no credit; due 30 Mar (10 Mar + 20)
    assert (priced[jb]["mode"], priced[jb]["union_share_fen"], priced[jb]["due_fen"], priced[jb]["pay_by"]) == (
        "instant",
        12600,
        12600,
        "2020-03-30",
    )
    assert priced[cb]["pay_by"] == "2020-01-20"
    assert billing.huangpu.get(f"/batches/{jb}").json["pay_by"] == "2020-03-30"


def test_overdue_job_reports_a_jb_batch_the_day_after_its_own_pay_by_and_cb_batches_as_before(billing):
    set_splits(billing)
    jb = one_person_jb_batch(billing, "JB202003100001")  # pay by 2020-03-25
    old = one_person_jb_batch(billing, "JB202003100002")
    with billing.svc.runtime.uow() as work:  # a JB batch priced before decision 0018: no pay-by
        work.session.get(Batch, old).pay_by = None
        work.commit()
    s3 = billing.submit(U_HP2, HUANGPU, "A", {"centralised": 3})
    cb = billing.batch(HUANGPU, [(s3, U_HP2, "A", {"centralised": 3})], batch_no="CB201912300001")

    at("2020-01-21T09:00:00")  # the year's payment deadline has passed
    assert report_overdue(billing) == [cb]  # CB: the year's deadline; JB: not yet due
    at("2020-03-25T23:59:00")
    assert report_overdue(billing) == []  # the pay-by day itself is in time
    at("2020-03-26T00:01:00")
    assert report_overdue(billing) == [jb]  # the JB batch the day after its pay-by; not `old`
    assert report_overdue(billing) == []
    overdue = {e["batch_id"]: e for e in billing.events("billing.batch.overdue")}
    assert overdue[jb] == {
        "batch_id": jb,
        "batch_no": "JB202003100001",
        "district_id": HUANGPU,
        "cover_year": YEAR,
        "due_fen": 6300,
        "paid_fen": 0,
        "payment_status": "overdue",
        "payment_status_text": "逾期未缴费，参保失败",
    }
    assert billing.centre.get(f"/batches/{jb}").json["status"] == "overdue"
    assert billing.centre.get(f"/batches/{old}").json["status"] == "awaiting_payment"


def test_a_jb_batch_written_off_in_time_or_covered_by_credit_is_never_overdue(billing):
    set_splits(billing)
    paid = one_person_jb_batch(billing, "JB202003100001")
    at("2020-03-20T10:00:00")
    r = billing.centre.post(
        f"/batches/{paid}/write-off", json={"amount": "63", "received_on": "2020-03-20", "bank_reference": "R-JB-1"}
    )
    assert r.status_code == 200, r.text
    r = billing.centre.post(
        "/credits",
        json={
            "district_id": HUANGPU,
            "source_year": 2018,
            "designated_year": YEAR,
            "amount": "100.00",
            "memo": "2018年会员计划退回金额",
        },
    )
    assert r.status_code == 201, r.text
    credited = one_person_jb_batch(billing, "JB202003200001", submitted_at="2020-03-20T15:00:00+08:00")
    assert billing.centre.get(f"/batches/{credited}").json["due_fen"] == 0
    at("2020-06-01T10:00:00")
    assert report_overdue(billing) == []
