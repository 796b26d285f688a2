"""Benchmark: billing prices one district batch of 1,000,000 members from 10,000 unions'
submissions (PostgreSQL), as `enrollment.batch.submitted` arrives at its consumer, and prices
the 10,000 submissions that came before it. Run: `.venv/bin/python -m bench.billing_batch [unions] [--repeat N]`.

Baselines, measured in the same run on the same database: the bare insert of the same number of
rows (one per submission) with the same payload size, and the bare insert of one batch row with
the same JSON — the floor for writing this much here. Each run starts on a fresh database; the
figures of `--repeat` runs (5) are printed as their spread, with the machine's load."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import datetime

from sqlalchemy import text

from bench import scratch
from bench.figures import load, spread

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
UNIONS = 10_000
PER_UNION = 100
YEAR, DISTRICT = 2020, 1


def fresh_billing():
    return scratch.fresh_database("billing", "billing")


def timed(label: str, results: dict, fn):
    started = time.perf_counter()
    fn()
    results[label] = time.perf_counter() - started
    print(f"  {label:58s} {results[label]:8.2f} s")


def run_once() -> dict:
    from common import clock
    from common.db import envelope
    from common.identity import Identity
    from services.billing.domain.prices import price_table_2020
    from services.billing.domain.split import Shares
    from services.billing.handlers import prices, pricing, read_models, splits

    results: dict[str, float] = {}
    print(f"billing: {UNIONS:,} submissions and one batch of {UNIONS * PER_UNION:,} members (PostgreSQL)")
    with fresh_billing() as runtime:
        clock.set_now(datetime(2019, 10, 28, 9, tzinfo=clock.SHANGHAI))
        with runtime.uow() as uow:
            read_models.record_district_when_district_changed(
                uow,
                envelope(
                    "members.district.registered",
                    {
                        "district_id": DISTRICT,
                        "name": "黄浦区总工会",
                        "kind": "district",
                        "special_industry": False,
                        "version": 1,
                    },
                    "members",
                ),
            )
            read_models.record_cover_year_when_configured(
                uow,
                envelope(
                    "enrollment.cover_year.configured",
                    {
                        "cover_year": YEAR,
                        "split_window": ["2019-10-25", "2019-10-31"],
                        "grassroots_window": ["2019-11-01", "2019-12-27"],
                        "payment_deadline": "2020-01-20",
                        "cover_start": "2020-01-01",
                        "cover_end": "2020-12-31",
                        "version": 1,
                    },
                    "enrollment",
                ),
            )
            uow.commit()
        with runtime.uow() as uow:
            prices.set_price_table(uow, Identity("bench", "centre"), YEAR, price_table_2020())
        with runtime.uow() as uow:
            splits.save_split(uow, "bench", YEAR, DISTRICT, {"A": Shares(0, 1300), "B": Shares(2500, 2500)})
        with runtime.uow() as uow:  # a few unions with overrides of their own
            splits.save_split(uow, "bench", YEAR, DISTRICT, {"B": Shares(5000, 0)}, union_id=7)
        types = ["A", "B"]
        subs = [
            {
                "submission_id": i,
                "union_id": i,
                "type": types[i % 2],
                "headcount": PER_UNION,
                "counts": {"centralised": PER_UNION},
            }
            for i in range(1, UNIONS + 1)
        ]

        events = [
            envelope(
                "enrollment.submission.submitted",
                {
                    **s,
                    "district_id": DISTRICT,
                    "cover_year": YEAR,
                    "mode": "centralised",
                    "submitted_at": "2019-12-01T10:00:00+08:00",
                },
                "enrollment",
            )
            for s in subs
        ]

        def price_submissions():
            with runtime.uow() as uow:
                uow.batch = events  # as the consumer hands a batch of deliveries to its handlers
                for event in events:
                    pricing.price_submission_when_submitted(uow, event)
                uow.commit()

        batch_event = envelope(
            "enrollment.batch.submitted",
            {
                "batch_id": 1,
                "batch_no": "CB201912300001",
                "district_id": DISTRICT,
                "cover_year": YEAR,
                "mode": "centralised",
                "submitted_at": "2019-12-30T10:00:00+08:00",
                "handler": {"name": "张", "phone": "13800000000", "email": "a@b.cn"},
                "submissions": subs,
                "headcount_by_type": {},
                "headcount": UNIONS * PER_UNION,
            },
            "enrollment",
        )

        def price_batch():
            with runtime.uow() as uow:
                pricing.price_batch_when_submitted(uow, batch_event)
                uow.commit()

        def bare_rows():
            with runtime.engine.begin() as conn:
                conn.execute(text("CREATE TEMP TABLE bare (id int primary key, payload text)"))
                conn.execute(
                    text("INSERT INTO bare VALUES (:id, :payload)"),
                    [{"id": s["submission_id"], "payload": json.dumps(s) * 6} for s in subs],
                )

        def bare_batch():
            with runtime.engine.begin() as conn:
                conn.execute(text("CREATE TEMP TABLE bare_batch (id int primary key, payload text)"))
                conn.execute(text("INSERT INTO bare_batch VALUES (1, :p)"), {"p": json.dumps(batch_event)})

        timed(f"price {UNIONS:,} submissions (rows + ledger + events)", results, price_submissions)
        timed(f"baseline: bare insert of {UNIONS:,} rows of that size", results, bare_rows)
        timed(f"price the batch of {UNIONS:,} submissions", results, price_batch)
        timed("baseline: bare insert of one row with the batch's JSON", results, bare_batch)
        with runtime.engine.connect() as conn:
            due = conn.execute(text("SELECT due_fen FROM batches WHERE batch_id = 1")).scalar()
        print(f"  batch due: {due / 100:,.2f} yuan")
        clock.set_now(None)
    return results


def main() -> dict:
    global UNIONS
    parser = argparse.ArgumentParser()
    parser.add_argument("unions", type=int, nargs="?", default=UNIONS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    UNIONS = args.unions
    runs = []
    for n in range(args.repeat):
        print(f"run {n + 1} of {args.repeat}, {load()}")
        runs.append(run_once())
    labels = list(runs[0])
    print(f"\nbilling, {args.repeat} runs (min / median / max), {load()}:")
    for label in labels:
        print(f"  {label:58s} {spread([r[label] for r in runs])}")
    submissions, bare = labels[0], labels[1]
    ratios = [r[submissions] / r[bare] for r in runs]
    print(
        f"  {'pricing ÷ bare inserts, each run':58s} {spread(ratios, '×', 1)}  (goal ≤ 10×: "
        f"{'met in every run' if max(ratios) <= 10 else f'{sum(x > 10 for x in ratios)} runs above'})"
    )
    return {label: statistics.median(r[label] for r in runs) for label in labels}


if __name__ == "__main__":
    main()
