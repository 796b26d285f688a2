"""Benchmark: the confirmation list (参保确认, `GET /enrollment/confirmation`) of a 100,000-member
union and of a 500-member union, in a city of 1,000,000 members of whom a part are covered
already this year (PostgreSQL, analyzed). Run: `.venv/bin/python -m bench.enrollment_confirmation`.

Goal (issue 16 item 6): ≤ 1 s for the 100,000-member union, ≤ 100 ms for the 500-member union.

Each request goes through the service's Flask app (in-process WSGI: identity check, handler,
serialisation), `--requests` times (30), printed as min / median / p95 / max. Baselines in the same
run on the same tables: a bare SELECT of the same 50 rows (the union's card holders, first page by
member id) and a bare count of the union's rows — what PostgreSQL alone costs to show them."""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from datetime import datetime

from sqlalchemy import text

from bench.enrollment_common import configure_year, fresh_database, members_sql, sealed_people
from bench.figures import load

BIG, SMALL = 1, 2  # the 100,000-member union and the 500-member one


def city_sql(members: int, big: int, small: int, per_union: int) -> str:
    """The big union, the small one, then the rest of the city in unions of `per_union`."""
    return members_sql(
        BIG,
        1,
        members,
        union_of=f"CASE WHEN n <= {big} THEN {BIG} WHEN n <= {big + small} "
        f"THEN {SMALL} ELSE 3 + (n - {big + small} - 1) / {per_union} END",
    )


def covers_sql(big: int, small: int, covered_share: float) -> str:
    """Covers of this year for a share of every union's members (others have submitted, and a part
    of the big union was submitted before): the eligibility rule must leave them out."""
    modulo = round(1 / covered_share)
    return f"""
        INSERT INTO cover (cover_year, member_id, submission_id, union_id, status, name, id_type, id_sealed,
                           id_index, id_masked, card_number, cover_start, cover_end, price_class)
        SELECT 2020, member_id, 1, union_id, 'pending', name, id_type, id_sealed, id_index, id_masked, card_number,
               DATE '2020-01-01', DATE '2020-12-31', 'centralised'
        FROM member_view WHERE member_id % {modulo} = 0"""


def spread_ms(times: list[float]) -> str:
    ordered = sorted(t * 1000 for t in times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"{ordered[0]:7.1f} / {statistics.median(ordered):7.1f} / {p95:7.1f} / {ordered[-1]:7.1f} ms "
        f"(min / median / p95 / max, n={len(ordered)})"
    )


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--covered", type=float, default=0.2, help="share of members covered already")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    from common import clock
    from common import identity as internal

    results: dict[str, float] = {}
    print(
        f"enrollment: confirmation list, unions of {args.big:,} and {args.small:,} members in a city of "
        f"{args.members:,}, {args.covered:.0%} covered (PostgreSQL), {load()}"
    )
    with fresh_database("confirmation") as runtime:
        configure_year(runtime)
        started = time.perf_counter()
        sealed_people(runtime, args.members)  # ID numbers as members publishes them (issue 14)
        with runtime.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO union_view VALUES (1, '大工会', 'C1', 1, 'x', '1', 1), "
                    "(2, '小工会', 'C2', 1, 'x', '1', 1)"
                )
            )
            conn.execute(text(city_sql(args.members, args.big, args.small, 500)))
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # covers without submissions
            conn.execute(text(covers_sql(args.big, args.small, args.covered)))
        with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE member_view"))
            conn.execute(text("VACUUM ANALYZE cover"))
        print(f"  set-up: {args.members:,} members, covers, analyzed in {time.perf_counter() - started:.1f} s")

        from services.enrollment.app import create_app

        client = create_app().test_client()
        logging.getLogger("http").setLevel(logging.WARNING)  # one line per request would be timed too
        clock.set_now(datetime(2019, 11, 5, 10, tzinfo=clock.SHANGHAI))

        def request(union_id: int, page: int, **extra) -> dict:
            query = "&".join(f"{k}={v}" for k, v in {"cover_year": 2020, "page": page, "per_page": 50, **extra}.items())
            who = internal.Identity("bench", "grassroots", union_id=union_id, district_id=1, request_id="bench")
            answer = client.get(f"/confirmation?{query}", headers={internal.HEADER: internal.sign(who)})
            assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
            return answer.json

        def repeat(label: str, fn) -> list[float]:
            fn()  # warm: the first request of a process pays for imports and the plan cache
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                fn()
                times.append(time.perf_counter() - started)
            results[label] = statistics.median(times)
            print(f"  {label:<58s} {spread_ms(times)}", flush=True)
            return times

        def bare(union_id: int, sql: str):
            def run():
                with runtime.engine.connect() as conn:
                    conn.execute(text(sql), {"union_id": union_id}).all()

            return run

        page_sql = (
            "SELECT member_id, name, id_type, id_masked, card_number, card_issued_on FROM member_view "
            "WHERE union_id = :union_id ORDER BY member_id LIMIT 50"
        )
        count_sql = "SELECT count(*) FROM member_view WHERE union_id = :union_id"
        first = request(BIG, 1)
        expected = args.big - sum(1 for n in range(1, args.big + 1) if n % round(1 / args.covered) == 0)
        print(
            f"  the big union: headcount {first['headcount']:,} (expected {expected:,}), "
            f"{len(first['items'])} rows a page, members_behind {first['members_behind']}"
        )
        assert first["headcount"] == expected, first["headcount"]
        last_page = (first["headcount"] + 49) // 50
        big = repeat(f"{args.big:,}-member union, first page", lambda: request(BIG, 1))
        big += repeat(f"{args.big:,}-member union, a middle page", lambda: request(BIG, last_page // 2))
        big += repeat(f"{args.big:,}-member union, the last page", lambda: request(BIG, last_page))
        repeat(f"baseline: bare SELECT of 50 rows of the {args.big:,}", bare(BIG, page_sql))
        repeat(f"baseline: bare count of the {args.big:,}", bare(BIG, count_sql))
        small_last = (request(SMALL, 1)["headcount"] + 49) // 50
        small = repeat(f"{args.small:,}-member union, first page", lambda: request(SMALL, 1))
        small += repeat(f"{args.small:,}-member union, the last page", lambda: request(SMALL, small_last))
        repeat(f"baseline: bare SELECT of 50 rows of the {args.small:,}", bare(SMALL, page_sql))
        repeat(f"baseline: bare count of the {args.small:,}", bare(SMALL, count_sql))
        clock.set_now(None)
        print(
            f"  goal: {args.big:,} ≤ 1 s → worst {max(big) * 1000:.0f} ms "
            f"({'met' if max(big) <= 1 else 'NOT met'}); {args.small:,} ≤ 100 ms → worst "
            f"{max(small) * 1000:.0f} ms ({'met' if max(small) <= 0.1 else 'NOT met'}); {load()}"
        )
    return results


if __name__ == "__main__":
    main()
