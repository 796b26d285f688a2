"""gunicorn runs several worker processes: their request series must add up in one scrape. A
real gunicorn (deploy/gunicorn.conf.py, two workers) serving a tiny app instrumented by
common.metrics, its multiprocess directory under DATA_DIR/run/metrics."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import requests
from prometheus_client.parser import text_string_to_metric_families

from common.config import ROOT
from tests.system import free_port

APP = """
from flask import Flask
from common import metrics

def create_app():
    app = Flask("mp")
    metrics.instrument(app, "mp")

    @app.get("/things/<int:n>")
    def thing(n):
        import os, time
        time.sleep(0.05)  # held long enough that concurrent calls need the other worker
        return {"pid": os.getpid()}
    return app
"""


def test_two_gunicorn_workers_add_up_in_one_scrape(tmp_path):
    (tmp_path / "mp_app.py").write_text(APP)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update({"DATA_DIR": str(tmp_path), "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "1",
            "mp_app:create_app()",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/metrics", timeout=1)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline and proc.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        from concurrent.futures import ThreadPoolExecutor

        def call(n):  # a new connection each; one thread per worker, so both workers take some
            return requests.get(f"{base}/things/{n}", timeout=10, headers={"Connection": "close"}).json()["pid"]

        with ThreadPoolExecutor(8) as pool:
            pids = set(pool.map(call, range(60)))
        text = requests.get(base + "/metrics", timeout=5).text
        counts = [
            s.value
            for f in text_string_to_metric_families(text)
            for s in f.samples
            if s.name == "union_http_request_duration_seconds_count" and s.labels["route"] == "/things/<int:n>"
        ]
        assert counts == [60.0], "every worker's requests in one series"
        folders = list((tmp_path / "run" / "metrics").iterdir())
        assert len(folders) == 1 and folders[0].name.endswith(f"-{port}")
        assert len(list(folders[0].glob("histogram_*.db"))) == len(pids)
        assert len(pids) == 2, "both gunicorn workers answered (else the sum proves less)"
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)
