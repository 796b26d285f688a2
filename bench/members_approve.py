"""Benchmark: a district approves 1,000 waiting members at once (会员审核 审核通过,
`POST /members/members/approvals`) in a city of members (PostgreSQL). Goal (issue 16 item 6) ≤ 1 s.
Run: `.venv/bin/python -m bench.members_approve [--members N] [--approve N] [--repeat N]`.

Each run approves another 1,000 waiting members of one union through the service's Flask app
(in-process WSGI: identity, handler — lock, member numbers, the members' rows, one event each in
the outbox — and the answer). Baseline in the same run on the same table: a bare set-based UPDATE
of another 1,000 waiting members (status, member number, approval) — what PostgreSQL alone costs
to change these rows. `--repeat` runs (5) printed as min / median / max with the load."""

from __future__ import annotations

import argparse
import logging
import time

import psycopg

from bench.figures import load, spread
from bench.members_common import fresh_database, generate_roster, plain_url


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--approve", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    batch = args.approve
    print(f"members: approving {batch:,} waiting members at once, city of {args.members:,} (PostgreSQL), {load()}")
    with fresh_database("approve") as runtime:
        url = plain_url(str(runtime.engine.url.render_as_string(hide_password=False)))
        started = time.perf_counter()
        home = generate_roster(url, args.members, 2 * batch * args.repeat, 0)
        with psycopg.connect(url, autocommit=True) as conn:
            district = conn.execute("SELECT district_id FROM unions WHERE id = %s", (home,)).fetchone()[0]
            waiting = [
                r[0] for r in conn.execute("SELECT id FROM members WHERE union_id = %s ORDER BY id", (home,)).fetchall()
            ]
            # the home union's members wait for review (imported, not yet approved)
            conn.execute("UPDATE members SET status = 'pending', member_no = NULL WHERE union_id = %s", (home,))
            conn.execute("VACUUM ANALYZE members")
        print(f"  set-up: {args.members:,} members, {len(waiting):,} waiting, in {time.perf_counter() - started:.1f} s")

        from common import identity as internal
        from services.members.app import create_app

        client = create_app().test_client()
        logging.getLogger("http").setLevel(logging.WARNING)
        who = internal.Identity("bench", "district", district_id=district, request_id="bench")

        def approve(ids: list[int]) -> float:
            started = time.perf_counter()
            answer = client.post(
                "/members/approvals", json={"member_ids": ids}, headers={internal.HEADER: internal.sign(who)}
            )
            took = time.perf_counter() - started
            assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
            assert len(answer.json) == len(ids)
            return took

        def bare(ids: list[int]) -> float:
            with psycopg.connect(url) as conn:
                started = time.perf_counter()
                conn.execute(
                    """UPDATE members SET status = 'normal', member_no = 'B' || lpad(id::text, 12, '0'),
                                approved_at = now(), approved_by = 'bench', version = version + 1, updated_at = now()
                                WHERE id = ANY(%s) AND status = 'pending'""",
                    (ids,),
                )
                conn.commit()
                return time.perf_counter() - started

        ours, bares = [], []
        for n in range(args.repeat):
            chunk = waiting[2 * n * batch : (2 * n + 1) * batch]
            other = waiting[(2 * n + 1) * batch : (2 * n + 2) * batch]
            ours.append(approve(chunk))
            bares.append(bare(other))
            print(f"  run {n + 1}: approve {ours[-1]:.3f} s, bare UPDATE {bares[-1]:.3f} s, {load()}", flush=True)
        with psycopg.connect(url) as conn:
            # one message per 1,000 members (schema version 2, decision 0044): count the snapshots
            messages, events = conn.execute(
                "SELECT count(*), coalesce(sum(jsonb_array_length(payload::jsonb -> 'data' -> 'members')), 0) "
                "FROM outbox WHERE type = 'members.member.approved'"
            ).fetchone()
        assert events == batch * args.repeat, events
        print(f"  {events:,} approvals in {messages:,} messages", flush=True)
        print(f"\n  {f'approve {batch:,} through the service ({args.repeat} runs)':<58s} {spread(ours, 's', 3)}")
        print(f"  {f'baseline: bare UPDATE of {batch:,} rows':<58s} {spread(bares, 's', 3)}")
        print(f"  goal ≤ 1 s: {'met in every run' if max(ours) <= 1 else 'NOT met'}; {load()}")
    return {"approve": sorted(ours)[len(ours) // 2], "bare": sorted(bares)[len(bares) // 2]}


if __name__ == "__main__":
    main()
