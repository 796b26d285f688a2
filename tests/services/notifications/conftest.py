"""The notifications service over its real PostgreSQL database; its input events go through the
real consumer's inbox (`EventConsumer._handle`), so a duplicate is a duplicate as in production."""

from __future__ import annotations

import uuid

import pytest

from common.bus import Delivery
from common.consumer import EventConsumer
from common.db import envelope
from tests.season import TIMELINE, YEAR

DISTRICT, OTHER_DISTRICT = 10, 20
UNION, UNION2, FOREIGN_UNION = 101, 102, 201


class Notifications:
    def __init__(self, svc):
        from services.notifications.subscriptions import SUBSCRIPTIONS

        self.svc = svc
        self.consumer = EventConsumer(svc.runtime, SUBSCRIPTIONS[0])
        self.centre = svc.as_("centre", user="centre")
        self.district = svc.as_("district", district_id=DISTRICT, user="district")
        self.district_clerk2 = svc.as_("district", district_id=DISTRICT, user="district-b")
        self.other_district = svc.as_("district", district_id=OTHER_DISTRICT, user="jingan")
        self.union = svc.as_("grassroots", union_id=UNION, district_id=DISTRICT, user="grassroots1")
        self.union2 = svc.as_("grassroots", union_id=UNION2, district_id=DISTRICT, user="grassroots2")
        self.foreign = svc.as_("grassroots", union_id=FOREIGN_UNION, district_id=OTHER_DISTRICT, user="foreign")
        self._ids = iter(range(5000, 10**6))

    def deliver(self, event: dict, times: int = 1) -> None:
        """The event delivered `times` times in one batch, as a redelivering broker would."""
        self.consumer._handle([Delivery(event, None) for _ in range(times)])

    def event(self, event_type: str, data: dict, producer: str = "test") -> dict:
        return envelope(event_type, data, producer, event_id=str(uuid.uuid4()))

    def year(self) -> None:
        self.deliver(self.event("enrollment.cover_year.configured", {"cover_year": YEAR, **TIMELINE, "version": 1}))

    def batch(self, unions=(UNION, UNION2), district=DISTRICT) -> tuple[int, dict]:
        batch_id = next(self._ids)
        event = self.event(
            "enrollment.batch.submitted",
            {
                "batch_id": batch_id,
                "batch_no": f"CB20191230{batch_id:04d}",
                "district_id": district,
                "cover_year": YEAR,
                "mode": "centralised",
                "submitted_at": "2019-12-30T10:00:00+08:00",
                "handler": {"name": "张三", "phone": "13800138000", "email": "z@example.com"},
                "submissions": [
                    {
                        "submission_id": next(self._ids),
                        "union_id": u,
                        "type": "A",
                        "headcount": 3,
                        "counts": {"centralised": 3},
                    }
                    for u in unions
                ],
                "headcount_by_type": {"A": 3 * len(unions)},
                "headcount": 3 * len(unions),
            },
        )
        return batch_id, event

    @staticmethod
    def titles(client) -> list[str]:
        response = client.get("/notifications?per_page=100")
        assert response.status_code == 200, response.get_json()
        return [n["title"] for n in response.get_json()["items"]]


@pytest.fixture
def notes(service):
    return Notifications(service("notifications"))
