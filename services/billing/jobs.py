"""Billing's scheduled jobs.

    python -m services.billing.jobs overdue    # report batches unpaid after the payment deadline

Safe to run as often and as late as you like, from several places at once: each batch is
reported once (the overdue_notices primary key)."""
from __future__ import annotations

import argparse
import sys

from services.billing.bootstrap import runtime
from services.billing.handlers import report_overdue


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.billing.jobs")
    parser.add_argument("job", choices=["overdue"])
    args = parser.parse_args(argv)
    if args.job == "overdue":
        reported = report_overdue(runtime)
        print(f"reported overdue: {len(reported)} batch(es) {reported}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
