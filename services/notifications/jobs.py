"""Notifications' scheduled work: deadline reminders and the e-mails of notifications.

    python -m services.notifications.jobs reminders          # once
    python -m services.notifications.jobs mail               # once: send what is due
    python -m services.notifications.jobs run --every 60     # both, a long-running process

Safe to run from several places at once: a reminder is recorded once (its key is unique) before
it is sent, and a mail is claimed by one sender at a time and never sent again once sent."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from common import logs, metrics
from services.notifications.bootstrap import runtime
from services.notifications.handlers import mail, reminders

log = logging.getLogger("notifications.jobs")


def _once(job: str) -> dict:
    out = {}
    if job in ("reminders", "run"):
        out["reminders"] = reminders.run_reminders(runtime.uow())
    if job in ("mail", "run"):
        out["mail"] = mail.send_all_due(runtime.uow())
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.notifications.jobs")
    parser.add_argument("job", choices=["reminders", "mail", "run"])
    parser.add_argument("--every", type=float, default=0, help="repeat every N seconds until stopped")
    parser.add_argument("--metrics-port", type=int, default=metrics.metrics_port(),
                        help="serve /metrics, /health, /ready on this port (default METRICS_PORT; none: off)")
    args = parser.parse_args(argv)
    if not args.every:
        print(_once(args.job))
        return 0
    logs.setup("notifications-jobs")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = None
    if args.metrics_port is not None:
        try:
            server = metrics.MetricsServer("notifications-jobs", args.metrics_port).start()
        except OSError as exc:  # a taken port costs the metrics, never the job
            print(f"notifications-jobs: cannot serve metrics on port {args.metrics_port}: {exc}", file=sys.stderr,
                  flush=True)
    while not stop.is_set():
        for job in ("reminders", "mail") if args.job == "run" else (args.job,):
            try:
                result = _once(job)
                metrics.JOB_RUNS.labels(f"notifications-{job}", "ok").inc()
                log.info("job ran", extra={"job": job, "result": str(result)[:500]})
            except Exception as exc:  # noqa: BLE001 - a server away for a moment: try again later
                metrics.JOB_RUNS.labels(f"notifications-{job}", "failed").inc()
                log.warning("job failed; will retry", extra={"job": job, "error": str(exc)})
        stop.wait(args.every)
    if server is not None:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
