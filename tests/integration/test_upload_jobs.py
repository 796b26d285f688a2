"""Durable upload jobs (issue 17 item 5), over real processes, PostgreSQL and RabbitMQ: a sync is
a work message on members' queue; the worker that runs it is SIGKILLed in the middle of applying a
50,000-row roster; the restarted worker gets the message again from the broker and the sync
completes once — nothing of the killed attempt applied, the union locked only until then."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid

import psycopg
from sqlalchemy import text

from bench.members_common import generate_roster, person_id, plain_url, workbook
from common import crypto
from common.bus import declare_topology
from common.config import ROOT, BusSettings
from tests.conftest import AMQP_URL
from tests.season import wait_for
from tests.services.members.roster_helpers import upload

ROWS = 50_000


def test_a_sync_whose_worker_is_killed_mid_apply_completes_once(service, tmp_path):
    members = service("members")
    url = os.environ["MEMBERS_DATABASE_URL"]
    run = uuid.uuid4().hex[:8]
    bus = {
        "BUS_URL": AMQP_URL,
        "BUS_EXCHANGE": f"test.uploads.{run}",
        "BUS_QUEUE_PREFIX": f"test.uploads.{run}.",
        "BUS_CONNECT_TIMEOUT": "2",
        "BUS_CONFIRM_TIMEOUT": "5",
    }
    settings = BusSettings(
        url=AMQP_URL,
        exchange=bus["BUS_EXCHANGE"],
        queue_prefix=bus["BUS_QUEUE_PREFIX"],
        confirm_timeout=5,
        connect_timeout=2,
    )
    declare_topology(settings, members.runtime.subscriptions)
    # a union of 50,500 members; the roster names 50,000 of them (A) — 500 are not in it (D)
    union = generate_roster(url, ROWS + 2_000, ROWS + 500, 1_000)
    data = workbook([["姓名", "证件号码"]] + [[f"会员{n}", person_id(n)] for n in range(ROWS)])
    g = members.as_("grassroots", union_id=union, district_id=None)
    accepted = upload(g, "/uploads/sync", data)
    assert accepted.status_code == 202, accepted.get_json()
    job = accepted.get_json()
    assert job["state"] == "running" and job["total"] == ROWS and job["done"] == 0
    assert upload(g, "/uploads/sync", data).status_code == 409  # one at a time, while it waits and runs

    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update(bus, MEMBERS_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    processes = []

    def worker(*args, name):
        log = open(tmp_path / f"{name}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "common.worker", "members", *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(proc)
        return proc

    # Hold one of the union's members so that the worker's UPDATE waits inside its transaction:
    # the kill lands mid-apply, after the COPY and the classification, for certain.
    blocker = psycopg.connect(plain_url(url))
    try:
        held = blocker.execute(
            "SELECT id FROM members WHERE union_id = %s ORDER BY id LIMIT 1 FOR UPDATE", (union,)
        ).fetchone()
        assert held
        worker("--relay", name="relay")
        first = worker("--consume", "uploads", name="worker-1")

        def waiting_on_the_lock() -> bool:
            with members.runtime.engine.connect() as conn:
                return (
                    conn.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock'"
                        )
                    ).scalar()
                    > 0
                )

        wait_for(waiting_on_the_lock, timeout=120, message="the worker to be applying the sync")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        with members.runtime.engine.connect() as conn:
            assert conn.execute(
                text("SELECT state, attempts FROM upload_jobs WHERE id = :j"), {"j": job["id"]}
            ).one() == ("running", 1)
    finally:
        blocker.rollback()
        blocker.close()

    def synced() -> int:
        with members.runtime.engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM members WHERE union_id = :u AND synced"), {"u": union}
            ).scalar()

    assert synced() == 0  # nothing of the killed attempt was applied
    try:
        second = worker("--consume", "uploads", name="worker-2")  # the restarted worker
        final = wait_for(
            lambda: (j := g.get(f"/uploads/{job['id']}").get_json())["state"] != "running" and j,
            timeout=180,
            message="the redelivered sync to finish",
        )
        assert final["state"] == "succeeded", final
        assert final["counts"] == {"A": ROWS, "B": 0, "C": 0, "D": 500, "E": 0}
        assert final["done"] == final["total"] == ROWS
        with members.runtime.engine.connect() as conn:
            assert conn.execute(text("SELECT attempts FROM upload_jobs WHERE id = :j"), {"j": job["id"]}).scalar() == 2
            assert (
                conn.execute(text("SELECT count(*) FROM sync_run_items WHERE job_id = :j"), {"j": job["id"]}).scalar()
                == 500
            )
            assert conn.execute(text("SELECT count(*) FROM upload_files")).scalar() == 0  # the file is gone
        assert synced() == ROWS
        applied = [e for e in members.outbox() if e["type"] == "members.roster.synced"]
        assert len(applied) == 1 and applied[0]["data"]["applied"] is True
        # the lock ended with the job: the next upload is accepted at once, and runs
        again = upload(g, "/uploads/sync", data, dry_run="true")
        assert again.status_code == 202
        dry = wait_for(
            lambda: (j := g.get(f"/uploads/{again.get_json()['id']}").get_json())["state"] != "running" and j,
            timeout=120,
            message="the next job",
        )
        assert dry["state"] == "succeeded" and dry["counts"]["A"] == ROWS
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=15)
        with members.runtime.engine.connect() as conn:  # each work message claimed once in the inbox
            assert conn.execute(text("SELECT count(*) FROM inbox WHERE consumer = 'members.uploads'")).scalar() == 2
    finally:
        for proc in processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
        from kombu import Connection

        try:  # the names are this run's own; leaving them would be harmless
            with Connection(AMQP_URL, connect_timeout=2) as conn:
                channel = conn.default_channel
                for sub in members.runtime.subscriptions:
                    channel.queue_delete(sub.queue_name(settings))
                    channel.queue_delete(sub.queue_name(settings) + ".dlq")
                channel.exchange_delete(settings.exchange)
                channel.exchange_delete(settings.dead_letter_exchange)
        except Exception:  # noqa: BLE001
            pass


def test_the_embedded_mode_runs_upload_jobs_over_its_file_bus(tmp_path):
    """`make run`'s configuration: SQLite and the file-system bus; the relay and members' worker as
    processes; a sync accepted by the web app runs on the worker."""
    from tests.conftest import ServiceClient
    from tests.services.members.roster_helpers import add, rid, setup, xlsx

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    saved = {k: os.environ.get(k) for k in ("DATA_DIR", "BUS_URL")}
    os.environ.update(DATA_DIR=str(data_dir), BUS_URL="filesystem://")
    crypto.reload()  # this data folder's keys, as the worker processes read them
    members = ServiceClient("members", f"sqlite:///{tmp_path / 'members.db'}")
    processes = []
    try:
        declare_topology(BusSettings(), members.runtime.subscriptions)  # once, before any consumer starts
        s = setup(members)
        add(s["g1"], 1)
        add(s["g1"], 2)
        env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
        env.update(MEMBERS_DATABASE_URL=f"sqlite:///{tmp_path / 'members.db'}", PYTHONPATH=str(ROOT))
        for args in (("--relay",), ("--consume", "uploads")):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "common.worker", "members", *args],
                    cwd=ROOT,
                    env=env,
                    stdout=open(tmp_path / f"{args[0][2:]}.log", "ab"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        accepted = upload(s["g1"], "/uploads/sync", xlsx([["姓名", "证件号码"], ["会员1", rid(1)]]))
        assert accepted.status_code == 202 and accepted.get_json()["total"] == 1
        job = wait_for(
            lambda: (j := s["g1"].get(f"/uploads/{accepted.get_json()['id']}").get_json())["state"] != "running" and j,
            timeout=60,
            message="the worker to run the sync",
        )
        assert job["state"] == "succeeded" and job["counts"]["A"] == 1 and job["counts"]["D"] == 1, job
        refused = upload(s["g1"], "/uploads/sync", xlsx([["姓名", "证件号码"], ["错名", rid(1)]]))
        job = wait_for(
            lambda: (j := s["g1"].get(f"/uploads/{refused.get_json()['id']}").get_json())["state"] != "running" and j,
            timeout=60,
            message="the refused sync",
        )
        assert job["state"] == "failed" and job["error_count"] == 1 and job["errors"][0]["column"] == "姓名"
    finally:
        for proc in processes:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        members.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        crypto.reload()
