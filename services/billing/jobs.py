"""Billing's scheduled jobs.

    python -m services.billing.jobs overdue               # once (cron, CI, a person)
    python -m services.billing.jobs overdue --every 300   # a long-running process, every 5 minutes
    python -m services.billing.jobs reminders             # 催缴: each late batch its next step, once

Safe to run as often and as late as you like, from several places at once: each batch is
reported once (the overdue_notices primary key)."""

from __future__ import annotations

import argparse
import sys

from common import metrics, periodic
from services.billing.bootstrap import runtime
from services.billing.handlers.ageing import send_payment_reminders
from services.billing.handlers.overdue import report_overdue


def _report_overdue() -> list[int]:
    with runtime.uow() as work:
        return report_overdue(work)


def _send_reminders() -> list[dict]:
    with runtime.uow() as work:
        return send_payment_reminders(work)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.billing.jobs")
    parser.add_argument("job", choices=["overdue", "reminders"])
    parser.add_argument("--every", type=float, default=0, help="repeat every N seconds until stopped")
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=metrics.metrics_port(),
        help="serve /metrics, /health, /ready on this port (default METRICS_PORT; none: off)",
    )
    args = parser.parse_args(argv)
    if args.job == "reminders":
        if not args.every:
            print(f"reminded: {_send_reminders()}")
            return 0
        return periodic.run_every(
            "billing-reminders", args.every, args.metrics_port, {"billing-reminders": _send_reminders}
        )
    if not args.every:
        reported = _report_overdue()
        print(f"reported overdue: {len(reported)} batch(es) {reported}")
        return 0
    return periodic.run_every("billing-overdue", args.every, args.metrics_port, {"billing-overdue": _report_overdue})


if __name__ == "__main__":
    sys.exit(main())
