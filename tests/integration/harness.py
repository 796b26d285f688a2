"""Driving the probe service (tests/integration/probe_service.py) as real processes: its own
database, its own bus namespace (exchange and queue prefix) on a real broker, relay and
consumer processes started with `python -m common.worker`, and the dead-letter CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from common.bus import Publisher, declare_topology
from common.config import ROOT, BusSettings
from common.db import envelope, make_engine
from common.runtime import ServiceRuntime
from tests.integration import probe_service as probe

WORKER = "tests.integration.probe_service:runtime"


class Probe:
    """One probe deployment: database URL + bus settings + the processes it started."""

    def __init__(self, database_url: str, bus_url: str, delivery_limit: int = 3, data_dir: Path | None = None):
        self.run_id = uuid.uuid4().hex[:8]
        self.tmp = data_dir or Path(tempfile.mkdtemp(prefix=f"probe-{self.run_id}-"))
        self.database_url = database_url
        self.env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
        self.env.update(
            {
                "PROBE_DATABASE_URL": database_url,
                "BUS_URL": bus_url,
                "DATA_DIR": str(self.tmp),
                "BUS_EXCHANGE": f"test.probe.{self.run_id}",
                "BUS_QUEUE_PREFIX": f"test.probe.{self.run_id}.",
                "BUS_DELIVERY_LIMIT": str(delivery_limit),
                "BUS_CONNECT_TIMEOUT": "2",
                "BUS_CONFIRM_TIMEOUT": "5",
                "PYTHONPATH": str(ROOT),
            }
        )
        self.settings = BusSettings(
            url=bus_url,
            exchange=self.env["BUS_EXCHANGE"],
            queue_prefix=self.env["BUS_QUEUE_PREFIX"],
            delivery_limit=delivery_limit,
            confirm_timeout=5,
            connect_timeout=2,
        )
        self.subscription = probe.runtime.subscriptions[0]
        self.queue = self.subscription.queue_name(self.settings)
        self.runtime = ServiceRuntime(
            name="probe",
            metadata=probe.metadata,
            messaging=probe.messaging,
            migrations_dir=probe.runtime.migrations_dir,
            subscriptions=probe.runtime.subscriptions,
            _engine=make_engine(database_url),
        )
        probe.metadata.create_all(self.runtime.engine)
        self.processes: list[subprocess.Popen] = []
        self._logs = self.tmp / "logs"
        self._logs.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ topology and processes
    def declare(self) -> None:
        with self._in_env():
            declare_topology(self.settings, [self.subscription])

    def _in_env(self):
        """DATA_DIR (the embedded transport's folder) as the child processes see it."""
        probe_env = self.env

        class _Env:
            def __enter__(self):
                self.saved = os.environ.get("DATA_DIR")
                os.environ["DATA_DIR"] = probe_env["DATA_DIR"]

            def __exit__(self, *exc):
                if self.saved is None:
                    os.environ.pop("DATA_DIR", None)
                else:
                    os.environ["DATA_DIR"] = self.saved

        return _Env()

    def spawn(self, *args: str, extra_env: dict | None = None, name: str = "worker") -> subprocess.Popen:
        env = {**self.env, **(extra_env or {})}
        log = open(self._logs / f"{name}-{len(self.processes)}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "common.worker", WORKER, *args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(proc)
        return proc

    def consumer(self, extra_env: dict | None = None) -> subprocess.Popen:
        return self.spawn("--consume", "effects", extra_env=extra_env, name="consumer")

    def relay(self) -> subprocess.Popen:
        return self.spawn("--relay", name="relay")

    @staticmethod
    def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop(self, proc: subprocess.Popen) -> None:
        """Graceful stop (SIGTERM): unacked messages return to the queue."""
        self.kill(proc, signal.SIGTERM)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )

    # ------------------------------------------------------------------ events
    def event(self, seq: int = 0, **flags) -> dict:
        return envelope(probe.EVENT, {"seq": seq, **flags}, producer="probe-test")

    def publish(self, envelopes: list[dict]) -> None:
        """Straight to the broker (as a relay would), each confirmed."""
        publisher = Publisher(self.settings)
        try:
            with self._in_env():
                confirmed, _ = publisher.publish(envelopes)
            assert sorted(confirmed) == sorted(e["id"] for e in envelopes)
        finally:
            publisher.close()

    def emit(self, n: int, **flags) -> list[str]:
        """Write n events to the outbox, as a use case would (one transaction)."""
        ids = []
        with self.runtime.uow() as uow:
            for seq in range(n):
                ids.append(uow.publish(probe.EVENT, {"seq": seq, **flags})["id"])
            uow.commit()
        return ids

    # ------------------------------------------------------------------ looking at the outcome
    def scalar(self, query):
        with self.runtime.engine.connect() as conn:
            return conn.execute(query).scalar()

    def effects_of(self, event_id: str) -> int:
        return self.scalar(select(func.count()).select_from(probe.effects).where(probe.effects.c.event_id == event_id))

    def effect_pids(self, event_id: str) -> list[int]:
        with self.runtime.engine.connect() as conn:
            return list(conn.execute(select(probe.effects.c.pid).where(probe.effects.c.event_id == event_id)).scalars())

    def effect_count(self) -> int:
        return self.scalar(select(func.count()).select_from(probe.effects))

    def distinct_effects(self) -> int:
        return self.scalar(select(func.count(probe.effects.c.event_id.distinct())))

    def inbox_count(self) -> int:
        return self.scalar(select(func.count()).select_from(probe.messaging.inbox))

    def unsent(self) -> int:
        outbox = probe.messaging.outbox
        return self.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))

    def outbox_failures(self) -> int:
        """Failed relay attempts noted on the outbox."""
        outbox = probe.messaging.outbox
        return self.scalar(select(func.coalesce(func.sum(outbox.c.attempts), 0)))

    def attempts_of(self, event_id: str) -> int | None:
        table = probe.messaging.attempts
        return self.scalar(select(table.c.attempts).where(table.c.event_id == event_id))

    def set_broken(self, broken: bool) -> None:
        with self.runtime.engine.begin() as conn:
            conn.execute(delete(probe.control).where(probe.control.c.key == "broken"))
            if broken:
                conn.execute(insert(probe.control).values(key="broken", value="1"))

    def queue_depth(self, name: str | None = None) -> int:
        """Ready messages in a queue (AMQP passive declare)."""
        from kombu import Connection

        with Connection(self.settings.url) as conn:
            _, count, _ = conn.default_channel.queue_declare(name or self.queue, passive=True)
            return count

    def consumers(self) -> int:
        """Consumers attached to the queue now (AMQP passive declare)."""
        from kombu import Connection

        with Connection(self.settings.url) as conn:
            _, _, count = conn.default_channel.queue_declare(self.queue, passive=True)
            return count

    def dlq_list(self) -> list[dict]:
        result = self.cli("-m", "common.dlq", "list", "probe.effects")
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]

    # ------------------------------------------------------------------ cleanup
    def close(self) -> None:
        for proc in self.processes:
            self.kill(proc)
        self.processes.clear()
        if self.settings.is_amqp:
            from kombu import Connection

            try:
                with Connection(self.settings.url, connect_timeout=2) as conn:
                    channel = conn.default_channel
                    for queue in (self.queue, self.queue + ".dlq"):
                        channel.queue_delete(queue)
                    channel.exchange_delete(self.settings.exchange)
                    channel.exchange_delete(self.settings.dead_letter_exchange)
            except Exception:  # noqa: BLE001 - the names are unique to this run; leaving them is harmless
                pass
        self.runtime.engine.dispose()
