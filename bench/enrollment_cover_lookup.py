"""Benchmark: 职工保障查询 with 5,000,000 cover rows (1,000,000 people × 5 cover years, 10,000
unions, PostgreSQL). Goals: one person's history ≤ 20 ms in the service (the handler: scope,
states, the year's claims deadline, the audit row and its commit); 10,000 ID numbers in bulk
≤ 5 s (parse and check every number, the histories, 10,000 audit rows, the workbook).

ID numbers are kept sealed (issue 14): the covers and the read model hold them sealed, blind-
indexed and masked, and every lookup goes through the blind index. Baselines in the same run: the
bare indexed SELECT of one person's cover rows by a precomputed index, and the bare SELECT …
WHERE id_index = ANY(10,000 precomputed indexes).

    .venv/bin/python -m bench.enrollment_cover_lookup [people]"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import datetime

from sqlalchemy import text

from bench.enrollment_common import fresh_database, sealed_people, timed

PEOPLE = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
YEARS = (2016, 2017, 2018, 2019, 2020)
PER_UNION = 100
LOOKUPS = 300


def resident(n: int) -> str:
    """A valid resident ID number, unique for n < 20,000,000: birth day n mod 20,000 days after
    1 January 1950, sequence n // 20,000."""
    from datetime import date, timedelta

    from common.resident_id import check_char

    born = date(1950, 1, 1) + timedelta(days=n % 20_000)
    first17 = f"310101{born:%Y%m%d}{n // 20_000 % 1000:03d}"
    return first17 + check_char(first17)


def populate(runtime) -> list[str]:
    """People with unique valid resident IDs; each union's members covered in every year."""
    numbers = sealed_people(runtime, PEOPLE, resident)
    unions = PEOPLE // PER_UNION
    raw = runtime.engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(f"""INSERT INTO union_view SELECT u, '工会' || u, lpad(u::text, 18, '0'), 1 + u % 16, 'x', '1', 1
                            FROM generate_series(1, {unions}) u""")
            cur.execute(f"""INSERT INTO member_view (member_id, union_id, district_id, name, id_type, id_sealed,
                              id_index, id_masked, member_no, status, card_number, card_issued_on, card_recorded_at,
                              removed, version)
                            SELECT n, 1 + (n - 1) / {PER_UNION}, 1 + (1 + (n - 1) / {PER_UNION}) % 16, '会员' || n,
                                   'resident', id_sealed, id_index, id_masked, lpad(n::text, 10, '0'), 'normal',
                                   '6222' || lpad(n::text, 12, '0'), DATE '2015-06-01', TIMESTAMPTZ '2015-06-01 10:00+08',
                                   false, 1 FROM bench_people""")
            for year in YEARS:
                cur.execute(f"""INSERT INTO cover_year VALUES ({year}, DATE '{year - 1}-10-25', DATE '{year - 1}-10-31',
                    DATE '{year - 1}-11-01', DATE '{year - 1}-12-27', DATE '{year - 1}-11-01', DATE '{year - 1}-12-27',
                    DATE '{year - 1}-12-28', DATE '{year - 1}-12-31', DATE '{year - 1}-12-31', DATE '{year}-01-01',
                    DATE '{year}-12-31', DATE '{year}-01-20', DATE '{year + 1}-12-31', 1, now(), 'bench')""")
                status = "written_off" if year < 2020 else "submitted"
                cur.execute(f"""INSERT INTO batch (id, batch_no, district_id, cover_year, mode, status, headcount,
                    headcount_by_type, handler_name, handler_phone, handler_email, submitted_at, submitted_by, updated_at)
                    SELECT {year} * 100 + d, 'CB{year - 1}1230' || lpad(d::text, 4, '0'), d, {year}, 'centralised',
                           '{status}', 0, '{{}}', 'x', '1', 'x@x.cn', now(), 'bench', now() FROM generate_series(1, 16) d""")
                cur.execute(f"""INSERT INTO submission (id, union_id, district_id, cover_year, mode, type, status,
                    headcount, counts, sequence, submitted_at, submitted_by, updated_at, batch_id)
                    SELECT {year} * 1000000 + u, u, 1 + u % 16, {year}, 'centralised', 'A', 'in_batch', {PER_UNION},
                           '{{}}', 1, now(), 'bench', now(), {year} * 100 + 1 + u % 16 FROM generate_series(1, {unions}) u""")
            cur.execute("DROP INDEX ix_cover_id_index")
            cur.execute("DROP INDEX ix_cover_union_year")
            cur.execute("DROP INDEX uq_cover_member_active")
            cur.execute("DROP INDEX ix_cover_submission_id")
            for year in YEARS:
                cur.execute(f"""INSERT INTO cover (cover_year, member_id, submission_id, union_id, status, name, id_type,
                        id_sealed, id_index, id_masked, card_number, cover_start, cover_end, price_class)
                    SELECT {year}, n, {year} * 1000000 + 1 + (n - 1) / {PER_UNION}, 1 + (n - 1) / {PER_UNION},
                           '{"granted" if year < 2020 else "pending"}', '会员' || n, 'resident', id_sealed, id_index,
                           id_masked, '6222' || lpad(n::text, 12, '0'), DATE '{year}-01-01', DATE '{year}-12-31',
                           'centralised'
                    FROM bench_people""")
            cur.execute("CREATE INDEX ix_cover_id_index ON cover (id_index)")
            cur.execute("CREATE INDEX ix_cover_union_year ON cover (union_id, cover_year)")
            cur.execute("CREATE INDEX ix_cover_submission_id ON cover (submission_id)")
            cur.execute(
                "CREATE UNIQUE INDEX uq_cover_member_active ON cover (cover_year, member_id) "
                "WHERE status IN ('pending', 'granted')"
            )
            cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return numbers


def main() -> dict:
    from common import clock
    from common.crypto import blind_index, blind_index_many
    from common.identity import Identity
    from services.enrollment.adapters import cover_lookup_excel
    from services.enrollment.handlers import cover_lookup

    results: dict[str, float] = {}
    print(f"enrollment: 职工保障查询 over {PEOPLE * len(YEARS):,} cover rows ({PEOPLE:,} people × {len(YEARS)} years)")
    with fresh_database("cover_lookup") as runtime:
        with timed(f"set-up: {PEOPLE * len(YEARS):,} covers, indexes, ANALYZE", results):
            numbers = populate(runtime)
        clock.set_now(datetime(2020, 3, 1, 10, tzinfo=clock.SHANGHAI))
        rng = random.Random(15)
        sample = rng.sample(numbers, LOOKUPS)
        centre = Identity("bench", "centre", request_id="bench")

        def percentiles(label, times):
            times = sorted(t * 1000 for t in times)
            line = (
                f"median {statistics.median(times):6.2f} ms  p95 {times[int(len(times) * 0.95) - 1]:6.2f} ms  "
                f"max {times[-1]:6.2f} ms"
            )
            print(f"  {label:<58s} {line}", flush=True)
            results[label] = statistics.median(times)

        indexes = dict(zip(sample, blind_index_many("id_number", sample), strict=False))  # the baseline is given them
        bare = []
        with runtime.engine.connect() as conn:
            for number in sample:
                started = time.perf_counter()
                conn.execute(text("SELECT * FROM cover WHERE id_index = :i"), {"i": indexes[number]}).all()
                bare.append(time.perf_counter() - started)
        percentiles(f"baseline: bare SELECT of one person's covers ({LOOKUPS})", bare)
        for who, label in ((centre, "centre"), (None, "grassroots, its own member")):
            spent = []
            for number in sample:
                if who is None:
                    with runtime.engine.connect() as conn:
                        union = conn.execute(
                            text("SELECT union_id FROM member_view WHERE id_index = :i"),
                            {"i": blind_index("id_number", number)},
                        ).scalar()
                    caller = Identity(
                        "bench", "grassroots", union_id=union, district_id=1 + union % 16, request_id="bench"
                    )
                else:
                    caller = who
                started = time.perf_counter()
                with runtime.uow() as uow:
                    person = cover_lookup.lookup(uow, caller, id_number=number)
                spent.append(time.perf_counter() - started)
                assert len(person["covers"]) == len(YEARS)
            percentiles(f"lookup in the service as {label} ({LOOKUPS})", spent)
        bulk = rng.sample(numbers, 10_000)
        bulk_indexes = blind_index_many("id_number", bulk)
        with timed("baseline: bare SELECT … WHERE id_index = ANY(10,000)", results):
            with runtime.engine.connect() as conn:
                rows = conn.execute(text("SELECT * FROM cover WHERE id_index = ANY(:i)"), {"i": bulk_indexes}).all()
        assert len(rows) == 10_000 * len(YEARS)
        with timed("bulk lookup of 10,000: parse, check, histories, audit", results), runtime.uow() as uow:
            found = cover_lookup.bulk_lookup(uow, centre, bulk)
        with timed("bulk lookup of 10,000: the result workbook (common/excel.py)", results):
            book = cover_lookup_excel.bulk_workbook(found)
        assert sum(1 for r in found if r["person"]) == 10_000 and len(book) > 0
        bulk_total = (
            results["bulk lookup of 10,000: parse, check, histories, audit"]
            + results["bulk lookup of 10,000: the result workbook (common/excel.py)"]
        )
        median = results[f"lookup in the service as centre ({LOOKUPS})"]
        print(
            f"  one lookup: median {median:.1f} ms (goal ≤ 20 ms); bulk {bulk_total:.2f} s (goal ≤ 5 s), "
            f"{bulk_total / results['baseline: bare SELECT … WHERE id_index = ANY(10,000)']:.1f}× the bare SELECT"
        )
    return results


if __name__ == "__main__":
    main()
