"""members.unions.registered (a bulk load's unions, many to a message) keeps the directory read
models of enrollment, billing and documents as members.union.registered does one by one: one
upsert a message, forward only by version, and a redelivered message applied once."""

from importlib import import_module

import pytest
from sqlalchemy import func, select

from common.bus import Delivery, PermanentFailure
from common.consumer import EventConsumer

UNIONS = 5_000


def _union(n: int, version: int = 1, name: str | None = None) -> dict:
    return {
        "union_id": n,
        "name": name or f"单位{n}工会",
        "credit_code": f"CODE{n:014d}",
        "district_id": 1 + n % 3,
        "contact_person": f"代办员{n}",
        "phone": "13900000000",
        "version": version,
    }


def _deliver(runtime, event: dict) -> None:
    sub = next(s for s in runtime.subscriptions if event["type"] in s.handlers)
    EventConsumer(runtime, sub)._handle([Delivery(event, None)])


@pytest.mark.parametrize("name", ["enrollment", "billing", "documents"])
def test_many_unions_in_one_message_are_kept_once_and_forward_only(service, name):
    svc = service(name)
    runtime = svc.runtime
    union_view = import_module(f"services.{name}.adapters.orm").UnionView
    renamed = {"id": "u-7", "type": "members.union.updated", "schema_version": 1, "data": _union(7, 2, "改名工会")}
    _deliver(runtime, renamed)  # a later version arrived first
    batch = {
        "id": "bulk-1",
        "type": "members.unions.registered",
        "schema_version": 1,
        "data": {"job_id": 1, "unions": [_union(n) for n in range(1, UNIONS + 1)]},
    }
    _deliver(runtime, batch)
    _deliver(runtime, batch)  # redelivered
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(union_view)) == UNIONS
        assert session.get(union_view, 7).name == "改名工会"  # not overwritten by the older version
        assert session.get(union_view, 4999).contact_person == "代办员4999"
    bad = {**batch, "id": "bulk-2", "data": {"job_id": 2, "unions": [{"union_id": "x"}]}}
    with pytest.raises(PermanentFailure):
        _deliver(runtime, bad)
