"""Personal information at rest and in flight (issue 14, docs/decisions/0022-pii-at-rest.md).

A short season with every process real — members added one by one and by upload (with mobiles),
approved, carded, a roster sync, a refused sync, 职工保障查询, a submission reviewed by the
district, an audited reveal — and then, looking where an attacker with a copy would look:

- every column of every table of every service's database (outboxes and inboxes included),
- every message the services published on the broker (a tap queue bound to every key),
- every process log,
- every GET of the OpenAPI, as every role, with the ids the season made,

holds no resident ID number or mobile in clear — only the allowed views answer one."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text

from tests.at_rest import clear_id_numbers
from tests.conftest import AMQP_URL
from tests.e2e.test_enrollment_season import carded_member, season, wait_listed  # noqa: F401 (fixture)
from tests.season import YEAR, ok, resident_id, xlsx
from tests.services.members.roster_helpers import IMPORT_HEADER, import_row
from tests.system import FULL_RESIDENT_ID_TEXT, System


def broker():
    import amqp

    conn = amqp.Connection(AMQP_URL.split("@")[-1].split("/")[0], userid="guest", password="guest", connect_timeout=5)
    conn.connect()
    return conn


M, E = "/api/v1/members", "/api/v1/enrollment"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def system():
    """The system, with a queue that receives a copy of every event before anything runs."""
    running = System()
    running.tap = running.env["BUS_QUEUE_PREFIX"] + "pii-tap"
    conn = broker()
    channel = conn.channel()
    channel.queue_declare(running.tap, durable=False, auto_delete=False)
    channel.queue_bind(running.tap, running.env["BUS_EXCHANGE"], "#")
    conn.close()
    running.start()
    yield running
    conn = broker()
    conn.channel().queue_delete(running.tap)
    conn.close()
    running.stop()


def published_bodies(system) -> list[str]:
    conn = broker()
    channel = conn.channel()
    bodies = []
    while (message := channel.basic_get(system.tap, no_ack=True)) is not None:
        body = message.body
        bodies.append(body.decode("utf-8") if isinstance(body, bytes) else body)
    conn.close()
    return bodies


@pytest.fixture(scope="module")
def world(system, season):
    g1, g2, district, centre = season["g1"], season["g2"], season["district"], season["centre"]
    people = [carded_member(system, g1, district, "2019-06-01") for _ in range(3)]
    people.append(carded_member(system, g2, district, "2019-07-01"))
    submitted = [ok(g1.get(f"{M}/members/{m}"))["id_number"] for m in people[:3]]
    numbers = {*submitted, ok(g2.get(f"{M}/members/{people[3]}"))["id_number"]}
    imported = [resident_id(900 + n, born="19850312") for n in range(2)]
    mobiles = ["13912345678", "13887654321"]
    rows = [IMPORT_HEADER] + [
        import_row(900 + n, 证件号码=number, 移动电话=mobile)
        for n, (number, mobile) in enumerate(zip(imported, mobiles, strict=False))
    ]
    answer = g1.post(f"{M}/uploads/import", files={"file": ("import.xlsx", xlsx(rows), XLSX)})
    assert answer.status_code == 200, answer.text
    numbers |= set(imported)
    # a roster sync of g1's own people, then one refused for a stranger (its error rows masked)
    own = [[record["name"], record["id_number"]] for record in (ok(g1.get(f"{M}/members/{m}")) for m in people[:3])]
    for extra in ([], [["查无此人", resident_id(910, born="19790303")]]):
        job = ok(
            g1.post(
                f"{M}/uploads/sync", files={"file": ("sync.xlsx", xlsx([["姓名", "证件号码"], *own, *extra]), XLSX)}
            ),
            202,
        )
        system.wait_for(lambda: ok(g1.get(f"{M}/uploads/{job['id']}"))["state"] != "running", message="sync job")
    numbers.add(resident_id(910, born="19790303"))
    # 职工保障查询 and a submission the district opens
    system.set_clock("2019-11-05T10:00:00")
    wait_listed(system, g1, f"cover_year={YEAR}", 3)
    submission = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+"}), 201)
    ok(district.get(f"{E}/submissions/{submission['id']}"))
    for number in submitted[:2]:
        ok(centre.post(f"{E}/covers/lookup", json={"id_number": number}))
    revealed = ok(district.post(f"{M}/members/{people[0]}/id-number-reveals"))
    assert revealed["id_number"] in numbers  # the one allowed view, audited
    engines = [system.db(c) for c in ("members", "enrollment")]

    def drained():
        with engines[0].connect() as members, engines[1].connect() as enrollment:
            return all(
                conn.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar() == 0
                for conn in (members, enrollment)
            )

    system.wait_for(drained, message="outboxes drained")
    for engine in engines:
        engine.dispose()
    return {**season, "people": people, "numbers": numbers, "mobiles": set(mobiles), "submission": submission}


def test_no_database_holds_an_id_number_or_mobile_in_clear(system, world):
    leaks = []
    for component in system.databases:
        engine = system.db(component)
        leaks += [f"{component}.{found}" for found in clear_id_numbers(engine, world["numbers"] | world["mobiles"])]
        engine.dispose()
    assert not leaks, f"clear personal information at rest: {leaks}"


def test_no_event_on_the_broker_carries_an_id_number_in_clear(system, world):
    bodies = published_bodies(system)
    assert any('"members.member.' in b or "id_sealed" in b for b in bodies), "the tap saw no member event"
    leaks = [b[:80] for b in bodies if FULL_RESIDENT_ID_TEXT.search(b) or any(n in b for n in world["numbers"])]
    assert not leaks, f"{len(leaks)} published message(s) carry clear ID numbers, e.g. {leaks[0]}"


def test_no_log_holds_an_id_number(system, world):
    assert system.id_numbers_in_logs() == []


def _filled(path: str, ids: dict) -> str | None:
    def one(match):
        name = match.group(1)
        for key, value in ids.items():
            if key in name:
                return str(value)
        return "1"

    return re.sub(r"\{([^}]+)\}", one, path)


def test_every_get_of_the_openapi_as_every_role_shows_only_masked_numbers(system, world):
    """The Session asserts on every answer (tests/system.py assert_no_full_id_numbers); walking
    every GET path with the season's ids makes sure no view was left unvisited."""
    spec = ok(world["centre"].get("/api/v1/openapi.json"))
    ids = {"member": world["people"][0], "submission": world["submission"]["id"], "year": YEAR, "cover_year": YEAR}
    visited = 0
    for path, operations in spec["paths"].items():
        if "get" not in operations or path.endswith(("/stream", "/events")):
            continue
        url = _filled(path if path.startswith("/api/") else "/api/v1" + path, ids)
        for role in ("centre", "district", "g1"):
            answer = world[role].get(url)  # asserts no full ID number unless an allowed view
            assert answer.status_code < 500, f"GET {url} as {role}: {answer.status_code}"
            visited += 1
    assert visited > 50
    body = json.dumps(ok(world["district"].get(f"{E}/submissions/{world['submission']['id']}")), ensure_ascii=False)
    assert "*" in body and not FULL_RESIDENT_ID_TEXT.search(body)
