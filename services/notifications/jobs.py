"""Notifications' scheduled work: deadline reminders and the e-mails of notifications.

    python -m services.notifications.jobs reminders          # once
    python -m services.notifications.jobs mail               # once: send what is due
    python -m services.notifications.jobs run --every 60     # both, a long-running process

Safe to run from several places at once: a reminder is recorded once (its key is unique) before
it is sent, and a mail is claimed by one sender at a time and never sent again once sent."""

from __future__ import annotations

import argparse
import sys

from common import metrics, periodic
from services.notifications.bootstrap import runtime
from services.notifications.handlers import mail, reminders


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
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=metrics.metrics_port(),
        help="serve /metrics, /health, /ready on this port (default METRICS_PORT; none: off)",
    )
    args = parser.parse_args(argv)
    if not args.every:
        print(_once(args.job))
        return 0
    jobs = ("reminders", "mail") if args.job == "run" else (args.job,)
    return periodic.run_every(
        "notifications-jobs",
        args.every,
        args.metrics_port,
        {f"notifications-{job}": (lambda job=job: _once(job)) for job in jobs},
    )


if __name__ == "__main__":
    sys.exit(main())
