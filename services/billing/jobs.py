"""Billing's scheduled jobs.

    python -m services.billing.jobs overdue               # once (cron, CI, a person)
    python -m services.billing.jobs overdue --every 300   # a long-running process, every 5 minutes

Safe to run as often and as late as you like, from several places at once: each batch is
reported once (the overdue_notices primary key)."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from common import logs, metrics
from services.billing.bootstrap import runtime
from services.billing.handlers.payments import report_overdue

log = logging.getLogger("billing.jobs")


def _report_overdue() -> list[int]:
    with runtime.uow() as work:
        return report_overdue(work)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.billing.jobs")
    parser.add_argument("job", choices=["overdue"])
    parser.add_argument("--every", type=float, default=0, help="repeat every N seconds until stopped")
    parser.add_argument("--metrics-port", type=int, default=metrics.metrics_port(),
                        help="serve /metrics, /health, /ready on this port (default METRICS_PORT; none: off)")
    args = parser.parse_args(argv)
    if not args.every:
        reported = _report_overdue()
        print(f"reported overdue: {len(reported)} batch(es) {reported}")
        return 0
    logs.setup("billing-jobs")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = None
    if args.metrics_port is not None:
        try:
            server = metrics.MetricsServer("billing-overdue", args.metrics_port).start()
        except OSError as exc:  # a taken port costs the metrics, never the job
            print(f"billing-overdue: cannot serve metrics on port {args.metrics_port}: {exc}", file=sys.stderr,
                  flush=True)
        else:
            print(f"billing-overdue metrics on http://{server.address}:{server.port}/metrics", flush=True)
    while not stop.is_set():
        try:
            reported = _report_overdue()
            metrics.JOB_RUNS.labels("billing-overdue", "ok").inc()
            metrics.JOB_ITEMS.labels("billing-overdue").inc(len(reported))
            if reported:
                log.info("batches reported overdue", extra={"batch_ids": reported})
        except Exception as exc:  # noqa: BLE001 - the database may be away for a moment: try again later
            metrics.JOB_RUNS.labels("billing-overdue", "failed").inc()
            log.warning("overdue check failed; will retry", extra={"error": str(exc)})
        stop.wait(args.every)
    if server is not None:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
