"""A scheduled job as a long-running process: run each step every N seconds until SIGTERM,
counting runs and failures in the metrics (common/metrics.py) and serving /metrics if asked.
A step that fails (a server away for a moment) is logged and tried again next time; the jobs
themselves are safe to run from several places at once, so replicas need no leader."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable

from common import logs, metrics

log = logging.getLogger("jobs")


def run_every(process: str, every: float, metrics_port: int | None, steps: dict[str, Callable[[], object]]) -> int:
    """`steps`: {metrics job name: callable}. A callable's result is logged; a list's length is
    also counted as the job's items."""
    logs.setup(process)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = None
    if metrics_port is not None:
        try:
            server = metrics.MetricsServer(process, metrics_port).start()
        except OSError as exc:  # a taken port costs the metrics, never the job
            print(f"{process}: cannot serve metrics on port {metrics_port}: {exc}", file=sys.stderr, flush=True)
        else:
            print(f"{process} metrics on http://{server.address}:{server.port}/metrics", flush=True)
    while not stop.is_set():
        for job, step in steps.items():
            try:
                result = step()
                metrics.JOB_RUNS.labels(job, "ok").inc()
                if isinstance(result, list):
                    metrics.JOB_ITEMS.labels(job).inc(len(result))
                if result:
                    log.info("job ran", extra={"job": job, "result": str(result)[:500]})
            except Exception as exc:  # noqa: BLE001 - the database may be away for a moment: try again later
                metrics.JOB_RUNS.labels(job, "failed").inc()
                log.warning("job failed; will retry", extra={"job": job, "error": str(exc)})
        stop.wait(every)
    if server is not None:
        server.stop()
    return 0
