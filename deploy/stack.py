"""Starting the whole system as real processes: the gateway and four services under gunicorn,
and a worker (relay + consumers) per service. Used by the embedded launcher and by the
integration tests (with PostgreSQL and RabbitMQ settings in the environment).

`Stack.supervise()` restarts a process that dies, with backoff: 1 s, doubling up to 30 s, back
to 1 s once a process has run a stable minute; each restart is said on the console."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from common.config import PRIVATE_FILE, PRIVATE_UMASK, ROOT, SERVICES, private_folder

PORTS = {
    "gateway": 8000,
    "members": 8101,
    "enrollment": 8102,
    "billing": 8103,
    "documents": 8104,
    "notifications": 8105,
}
# /metrics, /health, /ready of the worker processes (METRICS_PORT of each)
METRICS_PORTS = {
    "members-worker": 9101,
    "enrollment-worker": 9102,
    "billing-worker": 9103,
    "documents-worker": 9104,
    "billing-overdue": 9105,
    "notifications-worker": 9106,
    "notifications-jobs": 9107,
    "gateway-worker": 9108,
}

BACKOFF_FIRST, BACKOFF_MAX, STABLE_AFTER = 1.0, 30.0, 60.0


def exit_status(returncode: int) -> str:
    """As a shell says it: killed by signal N is 128 + N (SIGKILL: 137)."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"{128 - returncode} ({name})"
    return str(returncode)


@dataclass
class Supervised:
    """What the supervisor knows of one process: how to start it again, and when."""

    argv: list
    env: dict
    started: float = 0.0
    backoff: float = BACKOFF_FIRST
    restart_at: float | None = None  # set while it waits to be restarted
    restarts: int = 0


def service_env(base: dict, ports: dict) -> dict:
    env = dict(base)
    for service in SERVICES:
        env[f"{service.upper()}_URL"] = f"http://127.0.0.1:{ports[service]}"
    env["GATEWAY_URL"] = f"http://127.0.0.1:{ports['gateway']}"  # notifications asks it for addresses
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@dataclass
class Stack:
    env: dict
    ports: dict = field(default_factory=lambda: dict(PORTS))
    log_dir: Path | None = None
    processes: dict = field(default_factory=dict)
    metrics_ports: dict = field(default_factory=lambda: dict(METRICS_PORTS))
    supervised: dict = field(default_factory=dict)
    say: object = None  # where supervision speaks (default: stderr)
    clock: object = time.monotonic

    def __post_init__(self):
        self.env = service_env(self.env, self.ports)

    def _spawn(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        env = env or self.env
        out = subprocess.DEVNULL
        if self.log_dir:
            private_folder(self.log_dir)
            out = open(  # noqa: SIM115 - the child's log, open for the child's lifetime
                os.open(self.log_dir / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE), "ab"
            )
        try:
            # umask 077: every file a process makes in the data folder is its owner's alone
            proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                umask=PRIVATE_UMASK,
            )
        finally:
            if out is not subprocess.DEVNULL:
                out.close()  # the child has its own copy
        self.processes[name] = proc
        known = self.supervised.get(name)
        if known is None:
            self.supervised[name] = Supervised(argv, env, started=self.clock())
        else:
            known.started, known.restart_at = self.clock(), None
        return proc

    def _metrics_env(self, name: str) -> dict:
        port = self.metrics_ports.get(name)
        return {**self.env, "METRICS_PORT": str(port)} if port is not None else self.env

    # ------------------------------------------------------------------ supervision
    def _say(self, line: str) -> None:
        (self.say or (lambda text: print(text, file=sys.stderr, flush=True)))(line)

    def supervise_once(self) -> None:
        """Notice processes that died and restart those whose backoff has passed. Call it
        every half second or so (the launcher's loop does); never call it while stopping."""
        now = self.clock()
        for name, proc in list(self.processes.items()):
            if proc.poll() is None:
                continue
            entry = self.supervised[name]
            del self.processes[name]
            if now - entry.started >= STABLE_AFTER:
                entry.backoff = BACKOFF_FIRST  # it had run a stable minute: start the backoff afresh
            delay = entry.backoff
            entry.backoff = min(entry.backoff * 2, BACKOFF_MAX)
            entry.restart_at = now + delay
            self._say(f"{name} exited with {exit_status(proc.returncode)}; restarting in {delay:g} s")
        for name, entry in self.supervised.items():
            if entry.restart_at is not None and name not in self.processes and now >= entry.restart_at:
                entry.restarts += 1
                try:
                    proc = self._spawn(name, entry.argv, entry.env)
                except OSError as exc:
                    entry.restart_at = now + entry.backoff
                    self._say(f"{name} could not be started ({exc}); trying again in {entry.backoff:g} s")
                    continue
                self._say(f"{name} restarted (pid {proc.pid}, restart {entry.restarts})")

    def supervise(self, stop, interval: float = 0.5) -> None:
        """Supervise until `stop` (a threading.Event) is set."""
        while not stop.is_set():
            self.supervise_once()
            stop.wait(interval)

    def start_web(self, name: str, workers: int = 1) -> None:
        """One web component under gunicorn; threads per process from GUNICORN_THREADS (the config)."""
        target = "gateway.app:create_app()" if name == "gateway" else f"services.{name}.app:create_app()"
        self._spawn(
            name,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.ports[name]}",
                "--workers",
                str(workers),
                "--timeout",
                "300",
                "--graceful-timeout",
                "5",
                "--config",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                target,
            ],
        )

    def start_worker(self, service: str, *args: str, name: str | None = None) -> subprocess.Popen:
        name = name or f"{service}-worker"
        return self._spawn(name, [sys.executable, "-m", "common.worker", service, *args], self._metrics_env(name))

    def start_job(self, name: str, module: str, *args: str) -> subprocess.Popen:
        """A periodic job as its own process (e.g. billing's payment-deadline check)."""
        return self._spawn(name, [sys.executable, "-m", module, *args], self._metrics_env(name))

    def start_all(self, web_workers: int | None = None) -> None:
        # WEB_WORKERS: gunicorn processes per web component (threads share one core per process)
        web_workers = web_workers or int(self.env.get("WEB_WORKERS", "1"))
        for name in ("gateway", *SERVICES):
            self.start_web(name, workers=web_workers)
        for service in SERVICES:
            self.start_worker(service)
        self.start_worker("gateway")  # its outbox (account links) and its consumer (approved 组织注册)
        self.start_job("billing-overdue", "services.billing.jobs", "overdue", "--every", "300")
        self.start_job("notifications-jobs", "services.notifications.jobs", "run", "--every", "60")
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
        self.supervised.pop(name, None)  # a process stopped on purpose is not restarted
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
        self.supervised.clear()
        for name in list(self.processes):
            self.stop(name)
