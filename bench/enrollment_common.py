"""Shared set-up for the enrollment benchmarks: a fresh PostgreSQL database with the enrollment
service's migrations, a configured cover year, and a timer. Run a benchmark as a module, e.g.
`.venv/bin/python -m bench.enrollment_submission`."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from datetime import date, datetime

from bench import scratch

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TIMELINE = {
    "split_window": [date(2019, 10, 25), date(2019, 10, 31)],
    "grassroots_window": [date(2019, 11, 1), date(2019, 12, 27)],
    "district_review_window": [date(2019, 11, 1), date(2019, 12, 27)],
    "district_submit_window": [date(2019, 12, 28), date(2019, 12, 31)],
    "card_cutoff": date(2019, 12, 31),
    "cover_start": date(2020, 1, 1),
    "cover_end": date(2020, 12, 31),
    "payment_deadline": date(2020, 1, 20),
    "claims_deadline": date(2021, 12, 31),
}


def fresh_database(label: str):
    """The enrollment runtime on a new PostgreSQL database, dropped afterwards."""
    return scratch.fresh_database("enrollment", label)


def configure_year(runtime) -> None:
    from common import clock
    from common.identity import Identity
    from services.enrollment.handlers import cover_years

    clock.set_now(datetime(2019, 10, 1, 9, tzinfo=clock.SHANGHAI))
    with runtime.uow() as uow:
        cover_years.configure_cover_year(uow, Identity("bench", "centre"), 2020, TIMELINE)


@contextmanager
def timed(label: str, results: dict):
    started = time.perf_counter()
    yield
    results[label] = time.perf_counter() - started
    print(f"  {label:<58s} {results[label]:8.2f} s", flush=True)


def sealed_people(runtime, count: int, number=lambda n: f"{n:018d}") -> list[str]:
    """A table bench_people (n, id_sealed, id_index, id_masked): `count` ID numbers as the members
    service publishes them (issue 14) — sealed, blind-indexed and masked in Python with the
    service's keys, then COPYed — for the set-up SQL to copy into the read model. Returns the
    clear numbers (n = 1 … count), which only the benchmark keeps."""
    from common.crypto import vault
    from common.pii import mask_id

    numbers = [number(n) for n in range(1, count + 1)]
    keys = vault()
    indexes = keys.index_many("id_number", numbers)
    raw = runtime.engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("CREATE TABLE bench_people (n int PRIMARY KEY, id_sealed text, id_index text, id_masked text)")
            with cur.copy("COPY bench_people (n, id_sealed, id_index, id_masked) FROM STDIN") as copy:
                for n, (clear, index) in enumerate(zip(numbers, indexes, strict=False), 1):
                    copy.write_row((n, keys.seal("id_number", clear), index, mask_id(clear)))
        raw.commit()
    finally:
        raw.close()
    return numbers


def members_sql(first_union: int, unions: int, per_union: int, union_of: str | None = None) -> str:
    """Eligible card holders, `per_union` in each of `unions` unions, generated in the database
    (their ID numbers from bench_people: call sealed_people first). `union_of`: instead, an SQL
    expression of n giving member n's union (unions of different sizes)."""
    union_of = union_of or f"{first_union} + (n - 1) / {per_union}"
    return f"""
        INSERT INTO member_view (member_id, union_id, district_id, name, id_type, id_sealed, id_index, id_masked,
                                 member_no, status, card_number, card_issued_on, card_recorded_at, removed, version)
        SELECT n, {union_of}, 1, '会员' || n, 'resident', id_sealed, id_index, id_masked,
               'M' || n, 'normal', '6222' || lpad(n::text, 12, '0'),
               DATE '2019-06-01', TIMESTAMPTZ '2019-06-01 10:00+08', false, 1
        FROM bench_people WHERE n <= {unions * per_union}"""
