"""Personal information at rest in members' PostgreSQL database (issue 14): after a season of
operations — adds, edits, review, imports, lists, syncs applied and refused, transfers, cards,
removals — no column of any table (outbox, inbox, upload files and errors included) holds a
clear ID number or mobile, and no log record names one. rotate-keys re-seals the members under
a new key while lookups and the sync keep working."""

from __future__ import annotations

import json
import logging
import secrets

import pytest
from sqlalchemy import text

from common import crypto
from common.pii import mask_id
from common.rotate_keys import rotate_service
from tests.at_rest import clear_id_numbers
from tests.services.members.roster_helpers import (
    IMPORT_HEADER,
    add,
    approve,
    import_row,
    rid,
    setup,
    upload,
    wait_job,
    xlsx,
)
from tests.system import FULL_RESIDENT_ID_TEXT


def scan(engine, clear_values) -> list[str]:
    """Every value of every table (tests/at_rest.py): a full resident ID, or one of the clear values."""
    return clear_id_numbers(engine, sorted(clear_values))


class Recorded(logging.Handler):
    """Every log record as it would be written, its extra fields included."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(
            json.dumps({k: str(v) for k, v in record.__dict__.items()}, ensure_ascii=False)
            + (self.format(record) if record.exc_info else "")
        )


@pytest.fixture
def logs():
    handler = Recorded()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def season(s) -> dict:
    """A season of the roster through the members API; the clear ID numbers and mobiles it used."""
    g1, g2, dist1, centre = s["g1"], s["g2"], s["dist1"], s["centre"]
    members = [add(g1, n) for n in range(1, 7)] + [add(g2, n) for n in range(20, 24)]
    approve(dist1, *[m["id"] for m in members])
    assert g1.patch(f"/members/{members[0]['id']}", json={"mobile": "13912345678"}).status_code == 200
    rejected = add(g1, 7)
    assert (
        dist1.post("/members/rejections", json={"member_ids": [rejected["id"]], "reason": "证件号码有误"}).status_code
        == 200
    )
    assert g1.patch(f"/members/{rejected['id']}", json={"id_number": rid(8)}).status_code == 200
    assert g1.get(f"/members?id_number={rid(2)}").get_json()["total"] == 1
    imported = upload(g1, "/uploads/import", xlsx([IMPORT_HEADER] + [import_row(n) for n in range(30, 40)]))
    assert imported.status_code == 200, imported.get_json()
    refused = upload(g1, "/uploads/import", xlsx([IMPORT_HEADER, import_row(30), import_row(30), import_row(20)]))
    assert refused.status_code == 422
    # a sync applied (A, a C request to u2, D), then a refused one (E, N), then a dry run
    roster = [["姓名", "证件号码"]] + [[f"会员{n}", rid(n)] for n in range(2, 7)] + [["会员20", rid(20)]]
    job = wait_job(g1, upload(g1, "/uploads/sync", xlsx(roster)).get_json()["id"])
    assert job["state"] == "succeeded", job
    bad = [*roster, ["无此人", rid(90)], ["改了名", rid(3)]]
    job = wait_job(g1, upload(g1, "/uploads/sync", xlsx(bad)).get_json()["id"])
    assert job["state"] == "failed" and job["error_count"] >= 2, job
    assert g1.get(f"/uploads/{job['id']}/errors.xlsx").status_code == 200
    dry = wait_job(g1, upload(g1, "/uploads/sync", xlsx(roster), dry_run="true").get_json()["id"])
    assert dry["state"] == "succeeded", dry
    requests = g2.get("/transfer-requests?direction=out").get_json()["items"]
    for request in requests:
        assert g2.post(f"/transfer-requests/{request['id']}/decision", json={"approve": True}).status_code == 200
    moved = upload(g2, "/uploads/transfer-in", xlsx([["姓名", "证件号码"], ["会员4", rid(4)]]))
    assert moved.status_code == 200, moved.get_json()
    out = upload(g1, "/uploads/transfer-out", xlsx([["姓名", "证件号码", "转出原因"], ["会员5", rid(5), "离职"]]))
    assert out.status_code == 200, out.get_json()
    cards = upload(
        g1, "/uploads/cards", xlsx([["证件号码", "卡号", "办卡日期"], [rid(2), "6222021001112220001", "2019-12-01"]])
    )
    assert cards.status_code == 200, cards.get_json()
    removed = upload(centre, "/uploads/removals", xlsx([["姓名", "证件号码"], ["会员6", rid(6)]]))
    assert removed.status_code == 200, removed.get_json()
    numbers = {rid(n) for n in list(range(1, 9)) + list(range(20, 24)) + list(range(30, 40)) + [90]}
    mobiles = {f"1381234{n:04d}" for n in range(1, 24)} | {"13912345678"}
    return {"numbers": numbers, "mobiles": mobiles}


def test_no_clear_id_number_or_mobile_anywhere_in_the_database_or_the_logs(service, logs):
    members = service("members")
    s = setup(members)
    used = season(s)
    found = scan(members.runtime.engine, used["numbers"] | used["mobiles"])
    assert found == []
    with members.runtime.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM upload_files")).scalar() == 0  # every job ended, its file gone
        assert conn.execute(text("SELECT count(*) FROM outbox WHERE type LIKE 'members.member.%'")).scalar() > 0
    assert len([e for e in members.member_events() if e["type"].startswith("members.member.")]) > 20
    # and yet the service still knows them: a member's detail opens its number
    g1 = s["g1"]
    listed = g1.get("/members?per_page=100").get_json()["items"]
    detail = g1.get(f"/members/{listed[0]['id']}").get_json()
    assert detail["id_number"] in used["numbers"] and "*" in listed[0]["id_number"]
    leaked = [
        line
        for line in logs.lines
        if FULL_RESIDENT_ID_TEXT.search(line) or any(v in line for v in used["numbers"] | used["mobiles"])
    ]
    assert logs.lines and leaked == []


def test_an_upload_file_waits_sealed_and_is_gone_when_its_job_ends(service):
    from services.members.adapters import roster_file, upload_store

    members = service("members")
    s = setup(members)
    add(s["g1"], 1)
    data = xlsx([["姓名", "证件号码"], ["会员1", rid(1)]])
    accepted = upload(s["g1"], "/uploads/sync", data)
    assert accepted.status_code == 202, accepted.get_json()
    job_id = accepted.get_json()["id"]
    with members.runtime.engine.connect() as conn:
        stored = bytes(conn.execute(text("SELECT data FROM upload_files WHERE job_id = :j"), {"j": job_id}).scalar())
    assert stored.startswith(b"e") and b"PK" not in stored[:8] and rid(1).encode() not in stored
    # what waits for the worker is the roster as the request read it, so it is not read twice
    opened = crypto.open_sealed_bytes(upload_store.FILE_FIELD, stored)
    assert opened.startswith(roster_file.MAGIC)
    assert list(roster_file.read(opened).cells) == [(2, "会员1", rid(1), False)]
    assert wait_job(s["g1"], job_id)["state"] == "succeeded"
    with members.runtime.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM upload_files")).scalar() == 0


@pytest.fixture
def env_keys(monkeypatch):
    """Keys from the environment, one of each to start with; the vault reloaded before and after."""
    keys = {"enc": {1: secrets.token_hex(32)}, "idx": {1: secrets.token_hex(32)}}

    def use(enc_ids, idx_ids):
        monkeypatch.setenv("PII_ENCRYPTION_KEYS", ",".join(f"{k}:{keys['enc'][k]}" for k in enc_ids))
        monkeypatch.setenv("PII_INDEX_KEYS", ",".join(f"{k}:{keys['idx'][k]}" for k in idx_ids))
        return crypto.reload()

    def add_keys():
        keys["enc"][2], keys["idx"][2] = secrets.token_hex(32), secrets.token_hex(32)

    use([1], [1])
    yield use, add_keys
    monkeypatch.undo()
    crypto.reload()


def test_rotate_keys_reseals_the_members_while_lookups_and_the_sync_keep_working(service, env_keys):
    use, add_keys = env_keys
    members = service("members")
    s = setup(members)
    g1, g2 = s["g1"], s["g2"]
    made = [add(g1, n) for n in range(1, 6)] + [add(g2, 20)]
    approve(s["dist1"], *[m["id"] for m in made])
    engine = members.runtime.engine

    def prefixes():
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT DISTINCT substr(id_sealed, 1, 3), substr(id_index, 1, 3), "
                    "substr(mobile_sealed, 1, 3) FROM members"
                )
            ).all()

    def still_works(n_new: int):
        assert g1.get(f"/members?id_number={rid(3)}").get_json()["total"] == 1  # the search, by index
        dup = g2.post(
            "/members",
            json={
                "name": "会员3",
                "id_number": rid(3),
                "address": "上海",
                "mobile": "13812340003",
                "education": "大学本科",
                "household_type": "非农业",
            },
        )
        assert dup.status_code == 409  # uniqueness, by index
        assert g1.get(f"/members/{made[0]['id']}").get_json()["id_number"] == rid(1)  # opened
        roster = [["姓名", "证件号码"]] + [[f"会员{n}", rid(n)] for n in range(1, 6)]
        job = wait_job(g1, upload(g1, "/uploads/sync", xlsx(roster), dry_run="true").get_json()["id"])
        assert job["state"] == "succeeded" and job["counts"]["A"] == 5 and job["counts"]["E"] == 0, job
        add(g1, n_new)

    assert prefixes() == [("e1:", "i1:", "e1:")]
    add_keys()
    use([1, 2], [1, 2])  # the new keys seal and index from now on; the old rows still carry key 1
    still_works(40)  # before the rotation: the old rows are found under their old index
    assert rotate_service("members", batch=2, out=open("/dev/null", "w")) == 6
    assert prefixes() == [("e2:", "i2:", "e2:")]
    assert rotate_service("members", out=open("/dev/null", "w")) == 0  # nothing left to re-seal
    use([2], [2])  # key 1 leaves the secret
    still_works(41)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM members")).scalar() == 8


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_the_migration_seals_existing_members_outbox_events_and_upload_files(database, monkeypatch, tmp_path, dialect):
    """A database from before (clear id_number and mobile, a member event with the clear number
    in the outbox, a running job's file) upgraded: everything sealed, the event in the new form,
    and (the later migration) each mobile's masked copy filled."""
    from common.migrate import upgrade
    from services.members.bootstrap import runtime

    url = database("members") if dialect == "postgresql" else f"sqlite:///{tmp_path / 'members.db'}"
    monkeypatch.setenv("MEMBERS_DATABASE_URL", url)
    runtime.reset()
    try:
        upgrade("members", "c7a1e0f2d919")
        envelope = {
            "id": "e-1",
            "type": "members.member.registered",
            "data": {
                "member_id": 1,
                "union_id": None,
                "name": "张三",
                "id_type": "resident",
                "id_number": rid(1),
                "gender": "男",
                "version": 1,
            },
        }
        with runtime.engine.begin() as conn:
            for n in range(1, 4):
                conn.execute(
                    text(
                        "INSERT INTO members (id, union_id, name, id_type, id_number, address, mobile, skill_grade, "
                        "union_post, status, synced, removed, version, created_at, updated_at) VALUES (:n, NULL, :name, "
                        "'resident', :i, '', :m, '无', '工会会员', 'left', false, false, 1, '2020-01-01', '2020-01-01')"
                    ),
                    {"n": n, "name": f"会员{n}", "i": rid(n), "m": f"1381234{n:04d}"},
                )
            conn.execute(
                text(
                    "INSERT INTO outbox (event_id, type, payload, created_at) VALUES "
                    "('e-1', 'members.member.registered', :p, '2020-01-01')"
                ),
                {"p": json.dumps(envelope, ensure_ascii=False)},
            )
            conn.execute(
                text(
                    "INSERT INTO upload_jobs (id, lock_key, kind, dry_run, state, filename, total, done, "
                    "error_count, attempts, created_by, created_at, heartbeat_at) VALUES (1, 'union:1', "
                    "'sync', false, 'running', 'a.xlsx', 1, 0, 0, 0, 'x', '2020-01-01', '2020-01-01')"
                )
            )
            conn.execute(
                text("INSERT INTO upload_files (job_id, data) VALUES (1, :d)"),
                {"d": f"姓名,证件号码\n张三,{rid(1)}".encode()},
            )
        upgrade("members")
        with runtime.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, id_sealed, id_index, id_masked, mobile_sealed FROM members ORDER BY id")
            ).all()
            payload = json.loads(conn.execute(text("SELECT payload FROM outbox")).scalar())
            stored = bytes(conn.execute(text("SELECT data FROM upload_files")).scalar())
        for n, sealed, index, masked, mobile in rows:
            assert crypto.open_sealed("id_number", sealed) == rid(n) and index == crypto.blind_index(
                "id_number", rid(n)
            )
            assert masked == mask_id(rid(n)) and crypto.open_sealed("mobile", mobile) == f"1381234{n:04d}"
        with runtime.engine.connect() as conn:  # and their masked mobiles filled (a9c4e2f7b1d3)
            masked_mobiles = conn.execute(text("SELECT mobile_masked FROM members ORDER BY id")).scalars().all()
        assert masked_mobiles == [f"138****{n:04d}" for n in range(1, 4)]
        data = payload["data"]
        assert "id_number" not in data and crypto.open_sealed("id_number", data["id_sealed"]) == rid(1)
        assert data["id_index"] == crypto.blind_index("id_number", rid(1)) and data["id_masked"] == mask_id(rid(1))
        assert crypto.open_sealed_bytes("upload", stored) == f"姓名,证件号码\n张三,{rid(1)}".encode()
        assert scan(runtime.engine, {rid(n) for n in range(1, 4)}) == []
    finally:
        runtime.reset()


def test_a_file_the_worker_cannot_open_ends_its_job_and_the_lock(service, env_keys):
    use, add_keys = env_keys
    members = service("members")
    s = setup(members)
    add(s["g1"], 1)
    accepted = upload(s["g1"], "/uploads/sync", xlsx([["姓名", "证件号码"], ["会员1", rid(1)]]))
    add_keys()
    use([2], [1])  # the key the file was sealed with is gone (a worker rolled out without it)
    job = wait_job(s["g1"], accepted.get_json()["id"])
    assert job["state"] == "failed" and "无法读取" in job["message"], job
    use([1, 2], [1])
    again = upload(s["g1"], "/uploads/sync", xlsx([["姓名", "证件号码"], ["会员1", rid(1)]]))
    assert again.status_code == 202 and wait_job(s["g1"], again.get_json()["id"])["state"] == "succeeded"
