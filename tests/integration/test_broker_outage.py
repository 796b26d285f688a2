"""RabbitMQ down: a registration still succeeds at once (it only writes the outbox), nothing is
marked sent while the broker is away, and the events arrive everywhere once it is back.

The whole system runs against a RabbitMQ node of this test's own (private_broker.py), which the
test stops and starts again with the same data; the shared broker is never touched."""

from __future__ import annotations

import time

import pytest

from deploy.seed import credit_code
from tests.integration.directory_probe import members_outbox, union_views
from tests.integration.private_broker import PrivateBroker
from tests.system import System


@pytest.fixture(scope="module")
def outage():
    broker = PrivateBroker().start()
    system = None
    try:
        system = System(
            extra_env={"BUS_URL": broker.url, "BUS_CONNECT_TIMEOUT": "2", "BUS_CONFIRM_TIMEOUT": "5"}
        ).start()
        yield broker, system
    finally:
        if system is not None:
            system.stop()
        broker.destroy()


def test_registration_succeeds_while_rabbitmq_is_down_and_arrives_after(outage):
    broker, system = outage
    centre = system.login("centre")
    district = centre.get("/api/v1/members/districts").json()[0]["id"]
    broker.stop()

    started = time.monotonic()
    created = centre.post(
        "/api/v1/members/unions",
        json={
            "name": "上海断线测试有限公司工会",
            "credit_code": credit_code("91310101MA1FL0401"),
            "district_id": district,
            "contact_person": "孙悦",
            "phone": "13900000401",
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    union_id = created.json()["id"]
    renamed = centre.patch(
        f"/api/v1/members/unions/{union_id}", json={"name": "上海断线测试（新）有限公司工会"}, timeout=30
    )
    assert renamed.status_code == 200, renamed.text
    assert time.monotonic() - started < 10, "a request must not wait for the broker"

    time.sleep(4)  # the relay keeps trying meanwhile
    pending = members_outbox(system, "members.union.registered", union_id) + members_outbox(
        system, "members.union.updated", union_id
    )
    assert len(pending) == 2 and all(row["sent_at"] is None for row in pending), "marked sent without a confirm"
    assert all(view is None for view in union_views(system, union_id).values())

    broker.start()
    system.wait_for(
        lambda: all(
            v and v["name"] == "上海断线测试（新）有限公司工会" and v["version"] == 2
            for v in union_views(system, union_id).values()
        ),
        timeout=90,
        message="the events after RabbitMQ is back",
    )
    sent = members_outbox(system, "members.union.registered", union_id) + members_outbox(
        system, "members.union.updated", union_id
    )
    assert all(row["sent_at"] is not None for row in sent)
