"""Bank-statement matching and voucher checks (pure rules)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from services.billing.domain.statement import Line, OpenBatch, match_lines
from services.billing.domain.statement_fingerprint import fingerprinted
from services.billing.domain.voucher import VoucherRejected, check_voucher
from tests.services.billing.files import JPEG, PDF, PNG, image

BATCHES = [
    OpenBatch(1, "CB201912300001", 10, "黄浦区总工会", 500_000, False),
    OpenBatch(2, "CB201912300002", 10, "黄浦区总工会", 120_000, False),
    OpenBatch(3, "CB201912300003", 11, "静安区总工会", 120_000, False),
    OpenBatch(4, "CB201912300004", 11, "静安区总工会", 120_000, False),
    OpenBatch(5, "CB201912300005", 12, "徐汇区总工会", 90_000, True),
]


def line(row, payer, amount, memo=""):
    return Line(row, date(2020, 1, 10), payer, amount, memo)


def test_each_line_matched_or_given_a_reason():
    results = match_lines(
        [
            line(2, "随便谁", 1, "缴款 cb201912300001 集中参保"),  # by batch number, whatever the payer/amount
            line(3, "黄浦区总工会", 120_000),  # by payer and exact amount
            line(4, "静安区总工会", 120_000),  # two batches owe that much: ambiguous
            line(5, "黄浦区总工会", 777),  # no batch owes that much
            line(6, "某某公司", 120_000),  # payer unknown
            line(7, "徐汇区总工会", 90_000, "CB201912300005"),  # already written off
            line(8, "某某公司", 10, "CB209912300009"),  # unknown batch number
            line(9, "黄浦区总工会", 120_000),  # batch 2 already taken by row 3
            line(10, "黄浦区总工会", -5),
        ],
        BATCHES,
    )
    got = [(r.row, r.batch_id, r.reason_code) for r in results]
    assert got == [
        (2, 1, "MATCHED_BY_BATCH_NO"),
        (3, 2, "MATCHED_BY_PAYER_AMOUNT"),
        (4, None, "AMBIGUOUS"),
        (5, None, "NO_AMOUNT_MATCH"),
        (6, None, "PAYER_UNKNOWN"),
        (7, None, "BATCH_WRITTEN_OFF"),
        (8, None, "BATCH_NOT_FOUND"),
        (9, None, "NO_AMOUNT_MATCH"),
        (10, None, "NOT_A_CREDIT"),
    ]
    assert all(r.reason for r in results)


def test_vouchers_judged_by_content():
    assert check_voucher(PNG) == "image/png"
    assert check_voucher(JPEG) == "image/jpeg"
    assert check_voucher(PDF) == "application/pdf"
    for bad in (b"GIF89a....", b"PK\x03\x04 a zip", b"hello, I am a .jpg", image("GIF")):
        with pytest.raises(VoucherRejected) as exc:
            check_voucher(bad)
        assert exc.value.code == "VOUCHER_TYPE"
    with pytest.raises(VoucherRejected) as exc:
        check_voucher(PNG + b"\x00" * 2000, max_bytes=1000)
    assert exc.value.code == "VOUCHER_TOO_LARGE"
    with pytest.raises(VoucherRejected) as exc:
        check_voucher(b"")
    assert exc.value.code == "VOUCHER_EMPTY"


def test_a_line_matched_by_an_earlier_import_is_not_counted_again():
    first, second = fingerprinted(
        [line(2, "黄浦区总工会", 120_000, "参保款"), line(3, "黄浦区总工会", 500_000, "CB201912300001")]
    )
    again = match_lines([first, second], BATCHES, {first.fingerprint})
    assert [(r.batch_id, r.reason_code) for r in again] == [(None, "DUPLICATE_LINE"), (1, "MATCHED_BY_BATCH_NO")]


def test_a_line_dated_after_today_is_listed_never_matched():
    tomorrow = Line(2, date(2020, 1, 11), "随便谁", 500_000, "CB201912300001")
    today = Line(3, date(2020, 1, 10), "黄浦区总工会", 120_000, "")
    results = match_lines([tomorrow, today], BATCHES, today=date(2020, 1, 10))
    assert [(r.batch_id, r.reason_code) for r in results] == [
        (None, "DATED_AFTER_TODAY"),
        (2, "MATCHED_BY_PAYER_AMOUNT"),
    ]
    assert "晚于今天" in results[0].reason


def test_a_voucher_must_really_open():
    for broken in (PNG[:40], b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, JPEG[:30] + b"\x00" * 10, PDF[:20]):
        with pytest.raises(VoucherRejected) as exc:
            check_voucher(broken)
        assert exc.value.code == "VOUCHER_UNREADABLE", broken[:12]


def test_a_decompression_bomb_is_refused():
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (10_000, 9_000)).save(out, "PNG")  # 90 megapixels in a few kilobytes
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(VoucherRejected) as exc:
        check_voucher(out.getvalue())
    assert exc.value.code == "VOUCHER_TOO_LARGE"
