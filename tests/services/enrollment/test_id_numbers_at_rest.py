"""ID numbers at rest in enrollment (issue 14, docs/decisions/0022-pii-at-rest.md): the member read
model, the covers and the lookup audit keep them only sealed, blind-indexed and masked — whether
the member snapshot came under the new contract or, in flight during the upgrade, with a clear
number; no table of the database holds one in clear after the service's work; rotate-keys
re-seals every row while lookups keep finding people; the migration converts existing rows."""

from __future__ import annotations

import io
import re
import secrets

import openpyxl
import pytest
from sqlalchemy import create_engine, text

from common import crypto
from common.crypto import blind_index, blind_indexes, open_sealed
from common.rotate_keys import rotate_service
from tests.at_rest import clear_id_numbers
from tests.season import resident_id, xlsx
from tests.services.enrollment.conftest import UNION, UNION2, YEAR, at

NUMBERS = {member_id: resident_id(member_id, born="19850315") for member_id in range(1, 6)}
UNKNOWN = resident_id(99, born="19850315")


def _members(season, clear_for=(3, 4, 5)):
    """Members 1-3 in union 101, 4-5 in 102 (5 with a new card of 2020), through the consumer in
    one batch: 1, 2 under the new contract, the others as events still in flight from before it."""
    cards = {5: "2020-02-01"}
    season.consume(
        [
            season.member_event(
                m,
                union_id=UNION if m <= 3 else UNION2,
                id_number=n,
                card_issued_on=cards.get(m, "2019-06-01"),
                clear_id=m in clear_for,
            )
            for m, n in NUMBERS.items()
        ]
    )


def _work(season) -> dict:
    """Enrolment as the season does it: centralised and instant submissions, every kind of lookup,
    the people search."""
    central = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"}).get_json()
    assert central["headcount"] == 3, central
    assert season.grassroots2.post("/submissions", json={"cover_year": YEAR, "type": "B"}).status_code == 201
    at("2020-02-10T10:00:00")
    instant = season.grassroots2.post(
        "/submissions", json={"cover_year": YEAR, "type": "B", "mode": "instant", "kind": "new_card"}
    )
    assert instant.status_code == 201 and instant.get_json()["headcount"] == 1, instant.get_json()
    assert season.grassroots.post("/covers/lookup", json={"id_number": NUMBERS[1]}).status_code == 200
    assert season.grassroots.post("/covers/lookup", json={"id_number": UNKNOWN}).status_code == 404
    assert season.centre.post("/covers/lookup", json={"member_no": "M000003"}).status_code == 200
    upload = xlsx([["身份证号码"], [NUMBERS[1]], [NUMBERS[4].lower()], [UNKNOWN], ["12345"]])
    bulk = season.centre.post(
        "/covers/bulk-lookup", data={"file": (io.BytesIO(upload), "ids.xlsx")}, content_type="multipart/form-data"
    )
    assert bulk.status_code == 200
    found = season.district.get(f"/submissions/{central['id']}?search={NUMBERS[2]}").get_json()
    assert [m["member_id"] for m in found["members"]] == [2]
    return {"central": central, "bulk": bulk}


def test_the_read_model_keeps_the_sealed_values_it_receives_and_seals_a_clear_number_on_receipt(season):
    _members(season, clear_for=(3,))
    with season.svc.runtime.engine.connect() as conn:
        rows = {
            r.member_id: r
            for r in conn.execute(text("SELECT member_id, id_sealed, id_index, id_masked FROM member_view"))
        }
    for member_id, number in NUMBERS.items():
        row = rows[member_id]
        assert open_sealed("id_number", row.id_sealed) == number
        assert row.id_index == blind_index("id_number", number)
        assert row.id_masked == number[:4] + "*" * 10 + number[-4:]
    # a snapshot without its number in either form is malformed: dead-lettered, never half-stored
    _, broken = season.member_event(9)
    del broken["id_sealed"]
    from common.bus import PermanentFailure
    from services.enrollment.handlers.read_models import record_member_when_member_changed

    with pytest.raises(PermanentFailure), season.svc.runtime.uow() as uow:
        record_member_when_member_changed(uow, {"id": "x", "type": "members.member.updated", "data": broken})


def test_no_table_holds_a_clear_id_number_after_the_service_s_work(season):
    _members(season)
    done = _work(season)
    # the bulk workbook echoes what the clerk sent (their own file), normalised, and nothing else
    sheet = openpyxl.load_workbook(io.BytesIO(done["bulk"].data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [NUMBERS[1], NUMBERS[4], UNKNOWN, "12345"]
    # a member event that fails is counted with its error (the embedded transport's bus_attempts)
    from common.bus import Delivery
    from common.consumer import EventConsumer
    from services.enrollment.subscriptions import SUBSCRIPTIONS

    kind, data = season.member_event(1, id_number=NUMBERS[1], clear_id=True)
    data["version"] = "not a number"
    event = {"id": "bad-event", "type": kind, "data": data}
    consumer = EventConsumer(season.svc.runtime, next(s for s in SUBSCRIPTIONS if kind in s.handlers))
    with pytest.raises(Exception) as failure:
        consumer._handle([Delivery(event, None)])
    consumer._count_attempt(Delivery(event, None), failure.value)
    assert season.count("SELECT count(*) FROM inbox") >= len(NUMBERS)
    assert season.count("SELECT count(*) FROM bus_attempts") == 1
    assert season.count("SELECT count(*) FROM cover") == 5 and season.count("SELECT count(*) FROM cover_lookup") == 6
    assert clear_id_numbers(season.svc.runtime.engine, [*list(NUMBERS.values()), UNKNOWN]) == []


# ---------------------------------------------------------------------------- rotate-keys


def _keys(*kids: int) -> str:
    return ",".join(f"{kid}:{KEYS[kid]}" for kid in kids)


KEYS = {1: secrets.token_hex(32), 2: secrets.token_hex(32)}


@pytest.fixture
def key_one(monkeypatch):
    """This test's own keys, from the environment (as a deployment has them): key 1 of each kind."""
    monkeypatch.setenv("PII_ENCRYPTION_KEYS", _keys(1))
    monkeypatch.setenv("PII_INDEX_KEYS", _keys(1))
    crypto.reload()
    yield monkeypatch
    monkeypatch.undo()
    crypto.reload()


def _sealed_and_indexed(engine) -> set[str]:
    """The key prefixes of every sealed value and index enrollment holds."""
    prefixes = set()
    with engine.connect() as conn:
        for table, sealed, index in (
            ("member_view", "id_sealed", "id_index"),
            ("cover", "id_sealed", "id_index"),
            ("cover_lookup", "asked_sealed", "asked_index"),
        ):
            for row in conn.execute(text(f"SELECT {sealed}, {index} FROM {table} WHERE {sealed} IS NOT NULL")):
                prefixes |= {row[0].split(":")[0], row[1].split(":")[0]}
    return prefixes


def _still_found(season, central_id: int) -> None:
    for client, body in (
        (season.grassroots, {"id_number": NUMBERS[1]}),
        (season.centre, {"member_no": "M000003"}),
        (season.grassroots2, {"id_number": NUMBERS[5]}),
    ):
        answer = client.post("/covers/lookup", json=body)
        assert answer.status_code == 200, (body, answer.get_json())
    found = season.district.get(f"/submissions/{central_id}?search={NUMBERS[2]}").get_json()
    assert [m["member_id"] for m in found["members"]] == [2]


def test_rotate_keys_reseals_every_row_and_lookups_find_people_across_the_key_change(key_one, season):
    _members(season)
    central = _work(season)["central"]
    engine = season.svc.runtime.engine
    assert _sealed_and_indexed(engine) == {"e1", "i1"}
    # key 2 of each kind arrives and seals from now on; rows under key 1 are still found (IN)
    key_one.setenv("PII_ENCRYPTION_KEYS", _keys(1, 2))
    key_one.setenv("PII_INDEX_KEYS", _keys(1, 2))
    crypto.reload()
    _still_found(season, central["id"])
    assert len(blind_indexes("id_number", NUMBERS[1])) == 2
    assert {"e1", "i1", "e2", "i2"} == _sealed_and_indexed(engine)  # the new audit rows use key 2
    out = io.StringIO()
    assert rotate_service("enrollment", batch=2, out=out) == 5 + 5 + 5  # member_view, cover, audit rows of key 1
    assert re.search(r"enrollment\.cover: 5 row", out.getvalue())
    assert _sealed_and_indexed(engine) == {"e2", "i2"}
    assert rotate_service("enrollment", out=io.StringIO()) == 0
    # key 1 leaves the secret: everything still opens, and people are still found
    key_one.setenv("PII_ENCRYPTION_KEYS", _keys(2))
    key_one.setenv("PII_INDEX_KEYS", _keys(2))
    crypto.reload()
    _still_found(season, central["id"])
    with engine.connect() as conn:
        opened = {open_sealed("id_number", s) for s in conn.execute(text("SELECT id_sealed FROM cover")).scalars()}
    assert opened == set(NUMBERS.values())


# ---------------------------------------------------------------------------- the migration

BEFORE = "d7a3e5f0c216"


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_the_migration_seals_existing_rows_in_batches_and_downgrades_back(backend, database, tmp_path, monkeypatch):
    from alembic import command

    from common.migrate import alembic_config, upgrade
    from services.enrollment.bootstrap import runtime

    url = database("enrollment") if backend == "postgresql" else f"sqlite:///{tmp_path / 'enrollment.db'}"
    monkeypatch.setenv("ENROLLMENT_DATABASE_URL", url)
    runtime.reset()
    try:
        upgrade("enrollment", BEFORE)
        people = 5_003  # more than one batch of the migration
        numbers = {n: resident_id(n % 1000, born=f"19{60 + n // 1000}0101") for n in range(1, people + 1)}
        with runtime.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO member_view (member_id, union_id, district_id, name, id_type, id_number, "
                    "member_no, status, removed, version) VALUES (:m, 1, 1, 'x', 'resident', :n, NULL, "
                    "'normal', false, 1)"
                ),
                [{"m": m, "n": n} for m, n in numbers.items()],
            )
            conn.execute(
                text(
                    "INSERT INTO submission (id, union_id, district_id, cover_year, mode, type, status, "
                    "headcount, counts, sequence, submitted_at, submitted_by, updated_at) VALUES "
                    "(1, 1, 1, 2020, 'centralised', 'A', 'submitted', 2, '{}', 1, '2019-11-05', 'x', "
                    "'2019-11-05')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO cover (cover_year, member_id, submission_id, union_id, status, name, id_type, "
                    "id_number, card_number, cover_start, cover_end, price_class) VALUES (2020, :m, 1, 1, "
                    "'pending', 'x', 'resident', :n, '6222', '2020-01-01', '2020-12-31', 'centralised')"
                ),
                [{"m": m, "n": numbers[m]} for m in (1, 5_003)],
            )
            conn.execute(
                text(
                    'INSERT INTO cover_lookup (at, username, role, "by", asked, found, request_id) VALUES '
                    "('2020-03-01', 'u', 'centre', 'id_number', :a, true, 'r'), "
                    "('2020-03-01', 'u', 'centre', 'member_no', '1000000001', false, 'r')"
                ),
                {"a": numbers[7]},
            )
        upgrade("enrollment")
        engine = runtime.engine
        assert clear_id_numbers(engine, list(numbers.values())) == []
        with engine.connect() as conn:
            views = {
                r.member_id: r
                for r in conn.execute(text("SELECT member_id, id_sealed, id_index, id_masked FROM member_view"))
            }
            covers = conn.execute(text("SELECT member_id, id_sealed, id_index FROM cover ORDER BY member_id")).all()
            audit = conn.execute(text("SELECT asked, asked_sealed, asked_index FROM cover_lookup ORDER BY id")).all()
        assert len(views) == people
        for m in (1, 2_500, 5_000, 5_003):
            assert open_sealed("id_number", views[m].id_sealed) == numbers[m]
            assert views[m].id_index == blind_index("id_number", numbers[m])
            assert views[m].id_masked == numbers[m][:4] + "*" * 10 + numbers[m][-4:]
        assert [(c.member_id, open_sealed("id_number", c.id_sealed), c.id_index) for c in covers] == [
            (m, numbers[m], blind_index("id_number", numbers[m])) for m in (1, 5_003)
        ]
        assert audit[0].asked == numbers[7][:4] + "*" * 10 + numbers[7][-4:]
        assert open_sealed("id_number", audit[0].asked_sealed) == numbers[7]
        assert tuple(audit[1]) == ("1000000001", None, None)
        command.downgrade(alembic_config("enrollment"), BEFORE)
        with engine.connect() as conn:
            assert (
                conn.execute(text("SELECT id_number FROM member_view WHERE member_id = 5003")).scalar()
                == numbers[5_003]
            )
            assert conn.execute(text("SELECT id_number FROM cover WHERE member_id = 1")).scalar() == numbers[1]
            assert conn.execute(text("SELECT asked FROM cover_lookup ORDER BY id")).scalars().all() == [
                numbers[7],
                "1000000001",
            ]
    finally:
        runtime.reset()
        if backend == "sqlite":
            create_engine(url).dispose()
