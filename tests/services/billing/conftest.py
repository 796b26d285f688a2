"""Billing over HTTP on a fresh PostgreSQL database, with its input events fed to its handlers
in the shape of the contracts (docs/events.md): two ordinary-district unions, one special-industry
district, the 2020 timeline and the 2020 price table."""

from __future__ import annotations

import pytest

from common import clock
from common.db import envelope
from tests import season
from tests.season import YEAR, at, price_entries

SHANGHAI = clock.SHANGHAI
HUANGPU, AVIATION = 1, 2  # an ordinary district and a special-industry one (东航)
U_HP1, U_HP2, U_AV = 11, 12, 21

# The cover year as enrollment publishes it (`enrollment.cover_year.configured`).
TIMELINE = {"cover_year": YEAR, **season.TIMELINE, "version": 1}


class Billing:
    def __init__(self, svc):
        self.svc = svc
        self.centre = svc.as_("centre")
        self.huangpu = svc.as_("district", district_id=HUANGPU)
        self.aviation = svc.as_("district", district_id=AVIATION)
        self.grassroots = svc.as_("grassroots", union_id=U_HP1, district_id=HUANGPU)
        self._ids = iter(range(1000, 10**6))

    def feed(self, event_type: str, data: dict, producer: str = "enrollment") -> dict:
        from services.billing.subscriptions import SUBSCRIPTIONS

        handler = next(s.handlers[event_type] for s in SUBSCRIPTIONS if event_type in s.handlers)
        event = envelope(event_type, data, producer)
        with self.svc.runtime.uow() as uow:
            handler(uow, event)
            uow.commit()
        return event

    def events(self, event_type: str) -> list[dict]:
        return [e["data"] for e in self.svc.outbox() if e["type"] == event_type]

    def submit(
        self,
        union_id: int,
        district_id: int,
        cover_type: str,
        counts: dict,
        mode="centralised",
        submitted_at: str = "2019-12-01T10:00:00+08:00",
    ) -> int:
        submission_id = next(self._ids)
        self.feed(
            "enrollment.submission.submitted",
            {
                "submission_id": submission_id,
                "union_id": union_id,
                "district_id": district_id,
                "cover_year": YEAR,
                "type": cover_type,
                "mode": mode,
                "kind": mode,
                "counts": counts,
                "headcount": sum(counts.values()),
                "union_headcount_total": sum(counts.values()),
                "submitted_at": submitted_at,
                "sequence": 1,
            },
        )
        return submission_id

    def batch(
        self,
        district_id: int,
        submissions: list[tuple[int, int, str, dict]],
        email="jingban@example.cn",
        batch_no: str | None = None,
        mode: str = "centralised",
        submitted_at: str = "2019-12-30T10:00:00+08:00",
    ) -> int:
        batch_id = next(self._ids)
        subs = [
            {"submission_id": s, "union_id": u, "type": t, "headcount": sum(c.values()), "counts": c}
            for s, u, t, c in submissions
        ]
        by_type = {}
        for s in subs:
            by_type[s["type"]] = by_type.get(s["type"], 0) + s["headcount"]
        self.feed(
            "enrollment.batch.submitted",
            {
                "batch_id": batch_id,
                "batch_no": batch_no or f"CB20191230{batch_id:04d}",
                "district_id": district_id,
                "cover_year": YEAR,
                "mode": mode,
                "submitted_at": submitted_at,
                "handler": {"name": "张经办", "phone": "13800000000", "email": email},
                "submissions": subs,
                "headcount_by_type": by_type,
                "headcount": sum(by_type.values()),
            },
        )
        return batch_id


@pytest.fixture
def billing(service):
    svc = service("billing")
    b = Billing(svc)
    for district_id, name, special in ((HUANGPU, "黄浦区总工会", False), (AVIATION, "东航工会", True)):
        b.feed(
            "members.district.registered",
            {
                "district_id": district_id,
                "name": name,
                "kind": "industry" if special else "district",
                "special_industry": special,
                "version": 1,
            },
            "members",
        )
    for union_id, district_id in ((U_HP1, HUANGPU), (U_HP2, HUANGPU), (U_AV, AVIATION)):
        b.feed(
            "members.union.registered",
            {
                "union_id": union_id,
                "name": f"工会{union_id}",
                "credit_code": f"91310101MA1FL{union_id:04d}X",
                "district_id": district_id,
                "contact_person": "王芳",
                "phone": "13800000001",
                "version": 1,
            },
            "members",
        )
    b.feed("enrollment.cover_year.configured", TIMELINE)
    at("2019-10-20T09:00:00")
    response = b.centre.put(f"/price-tables/{YEAR}", json={"entries": price_entries()})
    assert response.status_code == 200, response.text
    yield b
    clock.set_now(None)


def set_splits(b: Billing) -> None:
    """黄浦: A grassroots pays all 13; A+ the district pays 63 (the guide's example); B, B+ halves.
    东航 (special): A+ district 69.50."""
    at("2019-10-28T10:00:00")
    r = b.huangpu.put(
        f"/splits/{YEAR}",
        json={
            "types": {
                "A": {"district_share": "0", "grassroots_share": "13"},
                "A+": {"district_share": "63.00", "grassroots_share": "0"},
                "B": {"district_share": "25", "grassroots_share": "25"},
                "B+": {"district_share": "50", "grassroots_share": "50"},
            }
        },
    )
    assert r.status_code == 200, r.text
    r = b.aviation.put(f"/splits/{YEAR}", json={"types": {"A+": {"district_share": "69.50", "grassroots_share": "0"}}})
    assert r.status_code == 200, r.text
