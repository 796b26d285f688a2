"""The union directory over the bus, every process real (gateway, four services under gunicorn,
their relays and consumers) on real PostgreSQL and RabbitMQ: registrations, renames, contact
changes and moves reach the read models of enrollment, billing and documents, and an older
version of a union never overwrites a newer one, however late it arrives."""

from __future__ import annotations

import uuid

from common.bus import Publisher
from common.config import BusSettings
from deploy.seed import credit_code
from tests.integration.directory_probe import district_known_everywhere, handled_everywhere, members_outbox, union_views


def _settings(system) -> BusSettings:
    env = system.env
    return BusSettings(url=env["BUS_URL"], exchange=env["BUS_EXCHANGE"], queue_prefix=env["BUS_QUEUE_PREFIX"])


def test_directory_changes_propagate_and_never_go_backwards(system):
    centre = system.login("centre")
    home = centre.get("/api/v1/members/districts").json()[0]["id"]
    moved_to = centre.post("/api/v1/members/districts", json={"name": "静安区总工会", "kind": "district"})
    assert moved_to.status_code == 201, moved_to.text
    moved_to = moved_to.json()["id"]
    system.wait_for(lambda: district_known_everywhere(system, moved_to), message="the new district everywhere")

    created = centre.post(
        "/api/v1/members/unions",
        json={
            "name": "上海总线测试有限公司工会",
            "credit_code": credit_code("91310101MA1FL0301"),
            "district_id": home,
            "contact_person": "陈静",
            "phone": "13900000301",
        },
    )
    assert created.status_code == 201, created.text
    union_id = created.json()["id"]
    system.wait_for(
        lambda: all(v and v["version"] == 1 for v in union_views(system, union_id).values()),
        message="the registration in every read model",
    )

    renamed = centre.patch(
        f"/api/v1/members/unions/{union_id}",
        json={"name": "上海总线测试（集团）有限公司工会", "contact_person": "赵磊", "phone": "13900000302"},
    )
    assert renamed.status_code == 200, renamed.text
    moved = centre.patch(f"/api/v1/members/unions/{union_id}", json={"district_id": moved_to})
    assert moved.status_code == 200, moved.text
    latest = {
        "name": "上海总线测试（集团）有限公司工会",
        "district_id": moved_to,
        "contact_person": "赵磊",
        "phone": "13900000302",
        "version": 3,
    }
    system.wait_for(
        lambda: all(v == latest for v in union_views(system, union_id).values()),
        message="the rename and the move in every read model",
    )

    # The registration (version 1) arrives again, late, as a new message: it must change nothing.
    [registered] = members_outbox(system, "members.union.registered", union_id)
    late = {**registered["envelope"], "id": str(uuid.uuid4())}
    publisher = Publisher(_settings(system))
    try:
        confirmed, _ = publisher.publish([late])
    finally:
        publisher.close()
    assert confirmed == [late["id"]]
    system.wait_for(lambda: handled_everywhere(system, late["id"]), message="the late event handled")
    assert all(v == latest for v in union_views(system, union_id).values())
