"""A batch's payment status is billing's, from its facts (domain/payment_status.py)."""

from datetime import datetime

import pytest

from services.billing.domain.payment_status import PAYMENT_STATUSES, payment_status, status_text
from services.billing.domain.voucher import VoucherRejected, check_withdraw_reason

T1, T2 = datetime(2020, 1, 10, 2), datetime(2020, 1, 11, 2)


@pytest.mark.parametrize(
    "facts, expected",
    [
        ({}, "awaiting_payment"),
        ({"last_voucher_at": T1}, "voucher_uploaded"),
        ({"last_voucher_at": T1, "last_feedback_at": T2}, "feedback_given"),
        ({"last_voucher_at": T2, "last_feedback_at": T1}, "voucher_uploaded"),  # a top-up answers the feedback
        ({"last_feedback_at": T1}, "feedback_given"),  # every voucher withdrawn
        ({"last_voucher_at": T2, "overdue": True}, "overdue"),
        ({"last_voucher_at": T2, "overdue": True, "written_off": True}, "written_off"),
        ({"due_fen": 79_300, "arrived_fen": 70_000}, "part_paid"),
        ({"due_fen": 79_300, "arrived_fen": 70_000, "last_voucher_at": T1, "last_feedback_at": T2}, "part_paid"),
        ({"due_fen": 79_300, "arrived_fen": 79_300}, "paid"),
        ({"due_fen": 79_300, "arrived_fen": 80_000}, "paid"),  # over-paid: all arrived, 多缴 is a figure
        ({"due_fen": 79_300, "arrived_fen": 70_000, "overdue": True}, "overdue"),
        ({"due_fen": 79_300, "arrived_fen": 70_000, "written_off": True}, "written_off"),
    ],
)
def test_the_status_from_the_facts(facts, expected):
    given = {"written_off": False, "overdue": False, "last_voucher_at": None, "last_feedback_at": None, **facts}
    assert payment_status(**given) == expected


def test_every_status_has_one_name():
    assert list(PAYMENT_STATUSES) == [
        "awaiting_payment",
        "voucher_uploaded",
        "feedback_given",
        "part_paid",
        "paid",
        "written_off",
        "overdue",
    ]
    assert len(set(PAYMENT_STATUSES.values())) == len(PAYMENT_STATUSES)
    assert status_text("feedback_given") == "职保中心已反馈"
    assert status_text("part_paid") == "部分到账"


def test_a_withdrawal_needs_a_reason_of_bounded_length():
    assert check_withdraw_reason("  传错了 ") == "传错了"
    for bad, code in (
        ("", "WITHDRAW_REASON_REQUIRED"),
        ("   ", "WITHDRAW_REASON_REQUIRED"),
        ("长" * 201, "WITHDRAW_REASON_TOO_LONG"),
    ):
        with pytest.raises(VoucherRejected) as refused:
            check_withdraw_reason(bad)
        assert refused.value.code == code
