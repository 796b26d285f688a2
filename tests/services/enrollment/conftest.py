"""Fixtures for the enrollment service over its real PostgreSQL database. Other services' facts
arrive as synthetic events of the contract shape (docs/events.md), fed through the service's own
subscriptions, so the wiring is exercised too."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from common import clock
from common.crypto import blind_index, seal
from common.db import envelope
from common.pii import mask_id
from tests.season import HANDLER, TIMELINE, YEAR, at  # noqa: F401 (re-exported to tests)

DISTRICT, OTHER_DISTRICT = 10, 20
UNION, UNION2, FOREIGN_UNION = 101, 102, 201


def published_id(number: str) -> dict:
    """The ID number as the members service publishes it in a member snapshot (issue 14,
    docs/events.md): sealed, its blind index and masked — never in clear."""
    return {
        "id_sealed": seal("id_number", number),
        "id_index": blind_index("id_number", number),
        "id_masked": mask_id(number),
    }


class Enrollment:
    """The service under test plus helpers speaking the other services' events."""

    def __init__(self, svc):
        from services.enrollment.subscriptions import SUBSCRIPTIONS

        self.svc = svc
        self._subscriptions = SUBSCRIPTIONS
        self.routes = {t: h for sub in SUBSCRIPTIONS for t, h in sub.handlers.items()}
        self.centre = svc.as_("centre")
        self.district = svc.as_("district", district_id=DISTRICT)
        self.other_district = svc.as_("district", district_id=OTHER_DISTRICT)
        self.grassroots = svc.as_("grassroots", union_id=UNION, district_id=DISTRICT)
        self.grassroots2 = svc.as_("grassroots", union_id=UNION2, district_id=DISTRICT)
        self.foreign = svc.as_("grassroots", union_id=FOREIGN_UNION, district_id=OTHER_DISTRICT)
        self._versions: dict[int, int] = {}

    def feed(self, event_type: str, data: dict, producer: str = "test") -> None:
        env = envelope(event_type, data, producer, event_id=str(uuid.uuid4()))
        with self.svc.runtime.uow() as uow:
            self.routes[event_type](uow, env)
            uow.commit()

    def directory(self) -> None:
        for district_id, name in ((DISTRICT, "黄浦区总工会"), (OTHER_DISTRICT, "静安区总工会")):
            self.feed(
                "members.district.registered",
                {"district_id": district_id, "name": name, "kind": "district", "special_industry": False, "version": 1},
            )
        for union_id, district_id, name, code in (
            (UNION, DISTRICT, "上海甲科技有限公司工会", "91310101MA1FL00011"),
            (UNION2, DISTRICT, "上海乙物流有限公司工会", "91310101MA1FL00022"),
            (FOREIGN_UNION, OTHER_DISTRICT, "上海丙贸易有限公司工会", "91310106MA1FL00033"),
        ):
            self.feed(
                "members.union.registered",
                {
                    "union_id": union_id,
                    "name": name,
                    "credit_code": code,
                    "district_id": district_id,
                    "contact_person": "联系人",
                    "phone": "13800000000",
                    "version": 1,
                },
            )

    def year(self, **changes) -> dict:
        at("2019-10-01T09:00:00")
        response = self.centre.put(f"/cover-years/{YEAR}", json={**TIMELINE, **changes})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def priced(
        self,
        submission_id: int,
        premium_fen: int,
        city_subsidy_fen: int,
        district_share_fen: int,
        grassroots_share_fen: int = 0,
        pay_by: str | None = "2019-12-27",
    ) -> None:
        """Billing's answer for a submission (billing.submission.priced), figures as given: the
        service must show them as they are, never compute its own."""
        with self.svc.runtime.engine.connect() as conn:
            sub = conn.execute(
                text("SELECT union_id, district_id, type, mode, headcount FROM submission WHERE id = :i"),
                {"i": submission_id},
            ).one()
        self.feed(
            "billing.submission.priced",
            {
                "submission_id": submission_id,
                "union_id": sub.union_id,
                "district_id": sub.district_id,
                "cover_year": YEAR,
                "type": sub.type,
                "mode": sub.mode,
                "headcount": sub.headcount,
                "premium_fen": premium_fen,
                "city_subsidy_fen": city_subsidy_fen,
                "district_share_fen": district_share_fen,
                "grassroots_share_fen": grassroots_share_fen,
                "grassroots_owes_fen": grassroots_share_fen,
                "pay_by": pay_by,
            },
            producer="billing",
        )

    def member(self, member_id: int, **snapshot) -> None:
        self.feed(*self.member_event(member_id, **snapshot))

    def member_event(
        self,
        member_id: int,
        union_id: int | None = UNION,
        card_issued_on: str | None = "2019-06-01",
        status: str = "normal",
        removed: bool = False,
        card_recorded_at: str | None = None,
        event: str = "card_issued",
        district_id: int | None = None,
        id_number: str | None = None,
        clear_id: bool = False,
    ) -> tuple[str, dict]:
        """A members.member.* event of the next version; `clear_id`: as published before issue 14
        (a clear id_number), as one still in flight during the upgrade would be."""
        version = self._versions.get(member_id, 0) + 1
        self._versions[member_id] = version
        if district_id is None:
            district_id = {UNION: DISTRICT, UNION2: DISTRICT, FOREIGN_UNION: OTHER_DISTRICT}.get(union_id)
        number = id_number or self.id_number(member_id)
        return f"members.member.{event}", {
            "member_id": member_id,
            "union_id": union_id,
            "district_id": district_id,
            "name": f"会员{member_id}",
            "id_type": "resident",
            **({"id_number": number} if clear_id else published_id(number)),
            "gender": "男",
            "birth_date": "1990-01-01",
            "member_no": f"M{member_id:06d}",
            "status": status,
            "card_number": f"6222{member_id:012d}" if card_issued_on else None,
            "card_issued_on": card_issued_on,
            "card_recorded_at": card_recorded_at or (f"{card_issued_on}T10:00:00+08:00" if card_issued_on else None),
            "removed": removed,
            "version": version,
        }

    def consume(self, events: list[tuple[str, dict]]) -> None:
        """Events delivered as the service's consumer applies a batch of them: one transaction,
        its inbox rows claimed, `uow.batch` set."""
        from common.bus import Delivery
        from common.consumer import EventConsumer

        deliveries = [Delivery(envelope(t, data, "members", event_id=str(uuid.uuid4())), None) for t, data in events]
        subscription = next(sub for sub in self._subscriptions if deliveries[0].event["type"] in sub.handlers)
        EventConsumer(self.svc.runtime, subscription)._handle(deliveries)

    @staticmethod
    def id_number(member_id: int) -> str:
        return f"31010119900101{member_id:04d}"[-18:]

    def members(self, ids, **kw) -> None:
        for member_id in ids:
            self.member(member_id, **kw)

    def count(self, sql: str, **params) -> int:
        with self.svc.runtime.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def events(self, event_type: str) -> list[dict]:
        return [e for e in self.svc.outbox() if e["type"] == event_type]


@pytest.fixture
def enrol(service):
    svc = service("enrollment")
    env = Enrollment(svc)
    env.directory()
    yield env
    clock.set_now(None)


@pytest.fixture
def season(enrol):
    """A configured 2020 year, the clock in the grassroots window."""
    enrol.year()
    at("2019-11-05T10:00:00")
    return enrol
