"""Benchmark: a district submits one batch of 1,000,000 members across 10,000 unions
(PostgreSQL). Goal ≤ 60 s.

Set up in bulk SQL (not timed): 10,000 unions with 100 card holders each, every union's
centralised submission made and staged. Timed: the to-submit list with its totals, and the
batch submission (lock the staged submissions, number the batch, move them, the event).
Baseline, measured in the same run: a bare UPDATE of the same 10,000 submission rows and a bare
count of the 1,000,000 covers — the floor for touching this much data here."""

from __future__ import annotations

import sys
from datetime import datetime

from sqlalchemy import text

from bench.enrollment_common import configure_year, fresh_database, members_sql, sealed_people, timed

UNIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
PER_UNION = int(sys.argv[2]) if len(sys.argv) > 2 else 100


def main() -> dict:
    from common import clock
    from common.identity import Identity
    from services.enrollment.handlers import batches, review

    total = UNIONS * PER_UNION
    results: dict[str, float] = {}
    print(f"enrollment: district batch of {total:,} members across {UNIONS:,} unions (PostgreSQL)")
    with fresh_database("batch") as runtime:
        configure_year(runtime)
        with timed("set-up (bulk SQL, not part of the goal)", results):
            sealed_people(runtime, total)
            with runtime.engine.begin() as conn:
                conn.execute(
                    text(f"""INSERT INTO union_view SELECT u, '工会' || u, lpad(u::text, 18, '0'), 1, 'x', '1', 1
                                      FROM generate_series(1, {UNIONS}) u""")
                )
                conn.execute(text(members_sql(1, UNIONS, PER_UNION)))
                conn.execute(
                    text(f"""INSERT INTO submission (id, union_id, district_id, cover_year, mode, kind, type,
                    status, headcount, counts, sequence, submitted_at, submitted_by, updated_at)
                    SELECT u, u, 1, 2020, 'centralised', NULL, CASE WHEN u % 2 = 0 THEN 'A' ELSE 'B' END, 'staged',
                           {PER_UNION}, '{{"centralised": {PER_UNION}}}', 1, now(), 'bench', now()
                    FROM generate_series(1, {UNIONS}) u""")
                )
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('submission', 'id'), {UNIONS})"))
                conn.execute(
                    text("""INSERT INTO cover (cover_year, member_id, submission_id, union_id, status, name,
                    id_type, id_sealed, id_index, id_masked, card_number, cover_start, cover_end, price_class)
                    SELECT 2020, member_id, union_id, union_id, 'pending', name, id_type, id_sealed, id_index, id_masked,
                           card_number,
                           DATE '2020-01-01', DATE '2020-12-31', 'centralised' FROM member_view""")
                )
                conn.execute(text("ANALYZE"))
        with timed("baseline: bare UPDATE of the 10,000 submissions + count(*) covers", results):
            with runtime.engine.begin() as conn:
                conn.execute(text("UPDATE submission SET updated_at = updated_at"))
                conn.execute(text("SELECT count(*) FROM cover")).scalar()
        clock.set_now(datetime(2019, 12, 28, 10, tzinfo=clock.SHANGHAI))
        who = Identity("bench", "district", district_id=1)
        with timed("to-submit list with totals (10,000 submissions)", results), runtime.uow() as uow:
            listing = review.to_submit(uow, who, 2020)
        assert listing["headcount"] == total
        with timed(f"submit batch of {total:,} members", results), runtime.uow() as uow:
            batch = batches.submit_batch(
                uow, who, 2020, "centralised", {"name": "张三", "phone": "13800138000", "email": "a@example.com"}
            )
        assert batch.headcount == total and batch.batch_no == "CB201912280001"
        goal = (
            results["to-submit list with totals (10,000 submissions)"] + results[f"submit batch of {total:,} members"]
        )
        print(
            f"  list + submit: {goal:.2f} s (goal ≤ 60 s); "
            f"ratio to baseline {goal / results['baseline: bare UPDATE of the 10,000 submissions + count(*) covers']:.1f}×"
        )
    return results


if __name__ == "__main__":
    main()
