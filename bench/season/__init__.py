"""A whole season through the gateway (issue 16): every process real (gateway and four services
under gunicorn, a worker per service, billing's overdue job, supervised as `make run` does),
PostgreSQL and RabbitMQ, then the checker (bench/season_check.py).

    .venv/bin/python -m bench.season [--unions 40] [--members 250] [--districts 4] [--clients 4]
                                     [--faults all|none|broker,kill,web,twice,cluster,poison]

Phases, on the business clock of the 2020 cover year: directory (districts, unions, accounts) →
configuration (cover year, prices, splits) → imports (≤ 1,000 rows a file) → approvals → cards
(the bank's card lists, ≤ 1,000 rows a file) → syncs with C (transfer requests, approved by the
other union) and D (not on the list: unsynced) → submissions (`--clients` at once) → district
review (one submission per district returned and submitted again, the rest staged) → batches →
vouchers → a bank statement → write-off of most districts → the overdue job fails the rest →
instant enrolment (有卡无保) of the failed members and their JB batches → drained → checked.

Each phase prints its wall time beside its *stage sum*: the phase's unit operation (one union's
import, one district's approvals, …) timed alone in the same run, before the others, times the
number of units — what the stages would cost run one after another with nothing else going on.
Goal (1/10 Shanghai: 1,000,000 members, 10,000 unions, 50 districts): ≤ 15 min, ≤ 2× the stages.

Faults (`--faults`: none by default, `all`, or a comma list; any fault runs on a private 3-node
cluster unless `--broker` says otherwise): `broker` stops every RabbitMQ node during the
imports and starts them again; `kill` SIGKILLs each worker (and the overdue job) during approvals
and cards, the supervisor restarting them; `web` SIGKILLs the members web process during an
import, which the client sends again; `twice` re-publishes every event of the submission and
review phases (each delivered twice); `cluster` stops one of the three nodes (the one clients
list first) during submissions and starts it again; `poison` publishes an event about a batch
that does not exist yet, which must land in the dead-letter queue of each of its consumers, and replays it (the
documented `python -m common.dlq replay`) once the batch exists.

The package: `setup` (the brokers and the system, clients, databases, the directory and the
files), `phases` (the season, phase by phase), `faults` (each fault's act), `report` (timing,
notes, the summary and the checker's table); this module reads the command line and runs them.
"""

from __future__ import annotations

import argparse
import signal
import sys

from bench.season.faults import ALL_FAULTS
from bench.season.phases import Season
from bench.season.setup import system_up

__all__ = ["ALL_FAULTS", "Season", "main", "parse_args", "run"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.season", description=__doc__.split("\n\n")[0])
    parser.add_argument("--unions", type=int, default=40)
    parser.add_argument("--members", type=int, default=250, help="members per union")
    parser.add_argument("--districts", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4, help="clients at once (threads)")
    parser.add_argument("--failing", type=float, default=0.1, help="share of districts that do not pay")
    parser.add_argument("--sync-every", type=int, default=5, help="every n-th union syncs its roster")
    parser.add_argument("--faults", default="none", help=f"none, all, or some of {','.join(ALL_FAULTS)}")
    parser.add_argument("--outage", type=float, default=15, help="seconds a broker (node) stays down")
    parser.add_argument(
        "--broker",
        choices=("shared", "private", "cluster"),
        default=None,
        help="the shared broker (no faults), a private node, or a private 3-node cluster "
        "(default: cluster with faults, else shared)",
    )
    parser.add_argument("--web-workers", type=int, default=1)
    args = parser.parse_args(argv)
    args.faults = [] if args.faults == "none" else list(ALL_FAULTS) if args.faults == "all" else args.faults.split(",")
    unknown = set(args.faults) - set(ALL_FAULTS)
    if unknown:
        parser.error(f"unknown faults {unknown}")
    args.broker = args.broker or ("cluster" if args.faults else "shared")
    if "cluster" in args.faults and args.broker != "cluster":
        parser.error("the cluster fault needs --broker cluster")
    if "broker" in args.faults and args.broker == "shared":
        parser.error("the broker fault needs a private broker (--broker private or cluster)")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    # stopped (timeout, kill): stop the system and the private brokers too, as on any other exit
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    season = run(args, args.broker)
    return 0 if season.report.ok else 1


def run(args, broker_kind: str = "shared") -> Season:
    """The system up on its brokers, the season played on it, both stopped after."""
    with system_up(args, broker_kind) as (system, brokers):
        season = Season(args, system, brokers)
        season.run()
        return season
