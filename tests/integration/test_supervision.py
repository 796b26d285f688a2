"""`make run` supervises: the embedded launcher (`python -m deploy.launch`, SQLite + the file-system
bus) restarts a worker killed with SIGKILL, says so on the console, and events flow through the
restarted worker; Ctrl-C (SIGINT to the launcher) then stops every process and nothing restarts."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

import requests
from sqlalchemy import create_engine

from common.config import ROOT
from deploy.seed import credit_code
from tests.integration.directory_probe import union_views
from tests.season import wait_for


def _free_block(size: int = 16) -> int:
    """A base port with `size` free ports above it (the launcher's PORT_BASE layout)."""
    for _ in range(200):
        base = random.randrange(20000, 60000, 100)
        try:
            for offset in range(size):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no free block of ports")


class Console:
    """The launcher's console, read as it comes."""

    def __init__(self, proc: subprocess.Popen):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc):
        for line in proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def __str__(self):
        return "\n".join(self.lines[-40:])


class Embedded:
    """Looking into the launcher's data folder as directory_probe looks into a System."""

    def __init__(self, data_dir):
        self.data_dir = data_dir

    def db(self, component: str):
        return create_engine(f"sqlite:///{self.data_dir / (component + '.db')}")


def _health(port: int) -> dict | None:
    try:
        response = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
        return response.json() if response.status_code == 200 else None
    except requests.RequestException:
        return None


def _metric(port: int, name: str, **labels) -> float | None:
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except requests.RequestException:
        return None
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def test_a_killed_worker_comes_back_and_ctrl_c_stops_everything(tmp_path):
    base = _free_block()
    gateway, members_worker, enrollment_worker = base, base + 11, base + 12
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL") and not k.startswith("BUS_")}
    env.update({"DATA_DIR": str(tmp_path), "PORT_BASE": str(base), "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    launcher = subprocess.Popen(
        [sys.executable, "-m", "deploy.launch"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    console = Console(launcher)
    try:
        wait_for(
            lambda: console.has("Stop: Ctrl-C") or launcher.poll() is not None,
            timeout=240,
            message="the launcher to start everything",
        )
        assert launcher.poll() is None, str(console)
        first = wait_for(lambda: _health(members_worker), timeout=30, message="members-worker's /health")
        assert first["process"] == "members-worker"

        os.kill(first["pid"], signal.SIGKILL)  # the worker is one process of its own session
        wait_for(
            lambda: console.has("members-worker exited with 137 (SIGKILL); restarting in 1 s"),
            timeout=15,
            message=f"the restart announced on the console:\n{console}",
        )
        second = wait_for(
            lambda: (h := _health(members_worker)) and h["pid"] != first["pid"] and h,
            timeout=30,
            message=f"members-worker back with a new pid:\n{console}",
        )
        assert second["process"] == "members-worker"
        assert console.has(f"members-worker restarted (pid {second['pid']}, restart 1)")

        # events still flow: a union registered at members reaches the other services' read models
        # through the restarted worker's relay
        login = requests.post(
            f"http://127.0.0.1:{gateway}/api/v1/auth/login",
            timeout=30,
            json={"username": "centre", "password": "Demo@2026pass"},
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        districts = requests.get(f"http://127.0.0.1:{gateway}/api/v1/members/districts", headers=headers, timeout=30)
        created = requests.post(
            f"http://127.0.0.1:{gateway}/api/v1/members/unions",
            headers=headers,
            timeout=30,
            json={
                "name": "上海重启测试有限公司工会",
                "credit_code": credit_code("91310101MA1FL0501"),
                "district_id": districts.json()[0]["id"],
                "contact_person": "陈静",
                "phone": "13900000501",
            },
        )
        assert created.status_code == 201, created.text
        union_id = created.json()["id"]
        views = wait_for(
            lambda: (
                all(union_views(Embedded(tmp_path), union_id).values()) and union_views(Embedded(tmp_path), union_id)
            ),
            timeout=60,
            message="the registration in every read model",
        )
        assert {v["name"] for v in views.values()} == {"上海重启测试有限公司工会"}
        assert (_metric(members_worker, "union_relay_published_total", service="members") or 0) >= 1, (
            "the restarted worker's relay published it"
        )
        assert _metric(members_worker, "union_outbox_unsent", service="members") == 0
        assert (
            _metric(enrollment_worker, "union_consumer_events_handled_total", consumer="enrollment.directory") or 0
        ) >= 1

        # Ctrl-C: everything stops, nothing is restarted
        pids = [first["pid"], second["pid"]]
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=60) == 0, str(console)
        assert console.has("stopped every process")
        time.sleep(1)
        for port in (gateway, base + 1, base + 2, base + 3, base + 4, members_worker, enrollment_worker):
            with socket.socket() as s:
                assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers after Ctrl-C"
        with_restarts = [line for line in console.lines if "restarted" in line]
        assert len(with_restarts) == 1, str(console)
        for pid in pids[1:]:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                pass
            else:
                raise AssertionError(f"worker {pid} still running after Ctrl-C")
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGINT)
            try:
                launcher.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
