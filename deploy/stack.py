"""Starting the whole system as real processes: the gateway and four services under gunicorn,
and a worker (relay + consumers) per service. Used by the embedded launcher and by the
integration tests (with PostgreSQL and RabbitMQ settings in the environment)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from common.config import ROOT, SERVICES

PORTS = {"gateway": 8000, "members": 8101, "enrollment": 8102, "billing": 8103, "documents": 8104}


def service_env(base: dict, ports: dict) -> dict:
    env = dict(base)
    for service in SERVICES:
        env[f"{service.upper()}_URL"] = f"http://127.0.0.1:{ports[service]}"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@dataclass
class Stack:
    env: dict
    ports: dict = field(default_factory=lambda: dict(PORTS))
    log_dir: Path | None = None
    processes: dict = field(default_factory=dict)

    def __post_init__(self):
        self.env = service_env(self.env, self.ports)

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        out = subprocess.DEVNULL
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.processes[name] = proc
        return proc

    def start_web(self, name: str, workers: int = 1) -> None:
        """One web component under gunicorn; threads per process from GUNICORN_THREADS (the config)."""
        target = "gateway.app:create_app()" if name == "gateway" else f"services.{name}.app:create_app()"
        self._spawn(name, [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.ports[name]}",
                           "--workers", str(workers), "--timeout", "300",
                           "--graceful-timeout", "5", "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), target])

    def start_worker(self, service: str, *args: str, name: str | None = None) -> subprocess.Popen:
        return self._spawn(name or f"{service}-worker", [sys.executable, "-m", "common.worker", service, *args])

    def start_job(self, name: str, module: str, *args: str) -> subprocess.Popen:
        """A periodic job as its own process (e.g. billing's payment-deadline check)."""
        return self._spawn(name, [sys.executable, "-m", module, *args])

    def start_all(self, web_workers: int | None = None) -> None:
        # WEB_WORKERS: gunicorn processes per web component (threads share one core per process)
        web_workers = web_workers or int(self.env.get("WEB_WORKERS", "1"))
        for name in ("gateway", *SERVICES):
            self.start_web(name, workers=web_workers)
        for service in SERVICES:
            self.start_worker(service)
        self.start_job("billing-overdue", "services.billing.jobs", "overdue", "--every", "300")
        try:
            self.wait_healthy()
        except Exception:
            self.stop_all()
            raise

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for name, port in self.ports.items():
            if name not in self.processes:
                continue
            while True:
                try:
                    if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited with {self.processes[name].returncode}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not become healthy")
                time.sleep(0.2)

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.processes.pop(name, None)
        if proc is None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
