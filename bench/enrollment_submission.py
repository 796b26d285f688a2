"""Benchmark: one grassroots union submits 100,000 members (集中参保, PostgreSQL). Goal ≤ 5 s.

Baseline, measured in the same run: a bare INSERT … SELECT of the same 100,000 rows into an
unindexed table with no eligibility checks, no unique index and no outbox — the floor for
writing this many rows here."""

from __future__ import annotations

import sys
from datetime import datetime

from sqlalchemy import text

from bench.enrollment_common import configure_year, fresh_database, members_sql, sealed_people, timed

MEMBERS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def main() -> dict:
    from common import clock
    from common.identity import Identity
    from services.enrollment.handlers import eligibility, submissions

    results: dict[str, float] = {}
    print(f"enrollment: grassroots submission of {MEMBERS:,} members (PostgreSQL)")
    with fresh_database("submission") as runtime:
        configure_year(runtime)
        sealed_people(runtime, MEMBERS)
        with runtime.engine.begin() as conn:
            conn.execute(text("INSERT INTO union_view VALUES (1, '基准工会', 'C', 1, 'x', '1', 1)"))
            conn.execute(text(members_sql(1, 1, MEMBERS)))
            conn.execute(text("ANALYZE member_view"))
        with timed("baseline: bare INSERT…SELECT of the same rows", results), runtime.engine.begin() as conn:
            conn.execute(text("CREATE TABLE bare_cover AS SELECT * FROM cover WITH NO DATA"))
            conn.execute(
                text("""INSERT INTO bare_cover (id, cover_year, member_id, submission_id, union_id, status,
                    name, id_type, id_sealed, id_index, id_masked, card_number, cover_start, cover_end, price_class)
                    SELECT member_id, 2020, member_id, 0, union_id, 'pending', name, id_type, id_sealed, id_index,
                           id_masked, card_number,
                           DATE '2020-01-01', DATE '2020-12-31', 'centralised' FROM member_view""")
            )
        clock.set_now(datetime(2019, 11, 5, 10, tzinfo=clock.SHANGHAI))
        who = Identity("bench", "grassroots", union_id=1, district_id=1)
        with timed("confirmation page (headcount + first 50 rows)", results), runtime.uow() as uow:
            page = eligibility.confirmation(uow, who, 2020, type_="A")
        assert page["headcount"] == MEMBERS
        with timed(f"submit {MEMBERS:,} members (checks, covers, outbox, commit)", results):
            with runtime.uow() as uow:
                sub = submissions.submit(uow, who, 2020, "centralised", "A")
        assert sub.headcount == MEMBERS
        with runtime.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM cover")).scalar() == MEMBERS
        print(
            f"  ratio submit / baseline: {results[f'submit {MEMBERS:,} members (checks, covers, outbox, commit)'] / results['baseline: bare INSERT…SELECT of the same rows']:.1f}×  (goal ≤ 5 s)"
        )
    return results


if __name__ == "__main__":
    main()
