"""billing.batch.payment_reminder (催缴, issue 26 item 7): the district is told, then told again
marked escalated (naming its handler), then the centre's list — once per step, however often
delivered."""

from __future__ import annotations

from tests.season import at
from tests.services.notifications.conftest import DISTRICT


def reminder(notes, step: str, escalated: bool, days: int) -> dict:
    return notes.event(
        "billing.batch.payment_reminder",
        {
            "batch_id": 7,
            "batch_no": "CB201912300007",
            "district_id": DISTRICT,
            "cover_year": 2020,
            "step": step,
            "step_text": step,
            "escalated": escalated,
            "handler": {"name": "张三", "phone": "13800138000", "email": "z@example.com"},
            "pay_by": "2020-01-20",
            "days_past": days,
            "due_fen": 63000,
            "paid_fen": 40000,
            "short_fen": 23000,
            "at": "2020-01-21T09:00:00+08:00",
        },
        producer="billing",
    )


def test_reminders_reach_the_district_then_escalated_then_the_centre(notes):
    at("2020-01-21T09:00:00")
    notes.deliver(reminder(notes, "first_notice", False, 1), times=2)
    assert notes.titles(notes.district) == ["催缴：参保批次 CB201912300007 仍未缴清"]
    notes.deliver(reminder(notes, "escalated", True, 8))
    titles = notes.titles(notes.district)
    assert titles[0] == "【催缴升级】参保批次 CB201912300007 仍未缴清" and len(titles) == 2
    body = notes.district.get("/notifications?per_page=1").get_json()["items"][0]["body"]
    assert body.startswith("张三（经办人）：") and "8 天" in body and "230.00 元" in body
    notes.deliver(reminder(notes, "centre_list", True, 31))
    assert notes.titles(notes.centre) == ["参保批次 CB201912300007 列入逾期名单"]
    assert len(notes.titles(notes.district)) == 2 and notes.titles(notes.union) == []
