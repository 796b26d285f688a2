"""会员列表 through the gateway with 1,000,000 members in PostgreSQL: p50/p99 at 50 concurrent
clients, beside a bare baseline measured in the same run (a trivial members endpoint through
the same gateway, same concurrency). Goal: p99 ≤ 50 ms.

    .venv/bin/python -m bench.members_list [--members 1000000] [--clients 50] [--requests 20]

The whole system runs as real processes (tests/system.py): gateway and services under gunicorn,
PostgreSQL, RabbitMQ. grassroots1's union holds 100,000 members; the rest are spread over 1,000
other unions; requests page through the union's list (and search by name and ID number)."""
from __future__ import annotations

import argparse
import random
import threading
import time

from bench.members_common import generate_roster, percentiles, person_id


def hammer(system, username: str, paths: list[str], clients: int, per_client: int) -> list[float]:
    samples: list[float] = []
    lock = threading.Lock()
    sessions = [system.login(username) for _ in range(clients)]
    barrier = threading.Barrier(clients)

    def run(session):
        barrier.wait()
        mine = []
        for _ in range(per_client):
            path = random.choice(paths)
            started = time.perf_counter()
            response = session.get(path)
            mine.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text[:200]
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--home", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client")
    parser.add_argument("--embedded-bus", action="store_true",
                        help="file-system bus instead of RabbitMQ (events are relayed off the measured path anyway)")
    args = parser.parse_args()
    from tests.system import System

    extra = {"BUS_URL": "filesystem://"} if args.embedded_bus else None

    system = System(extra_env=extra)
    try:
        print(f"members list: {args.members:,} members, {args.clients} concurrent clients", flush=True)
        started = time.perf_counter()
        # grassroots1's union is the first demo union; its id is in the gateway's accounts
        from sqlalchemy import text

        with system.db("gateway").connect() as conn:
            union_id = conn.execute(text("SELECT union_id FROM accounts WHERE username = 'grassroots1'")).scalar()
        generate_roster(system.databases["members"], args.members, args.home, 10_000, home_union=union_id)
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
        system.start()
        m = "/api/v1/members"
        pages = [f"{m}/members?page={p}&per_page=50" for p in range(1, 41)]
        # what the list page does after the first page: the total is already known
        later_pages = [f"{m}/members?page={p}&per_page=50&with_total=false" for p in range(2, 41)]
        searches = [f"{m}/members?name=会员{random.randrange(args.home)}" for _ in range(20)] + \
                   [f"{m}/members?id_number={person_id(random.randrange(args.home))}" for _ in range(20)]
        baseline_paths = [f"{m}/districts"]
        for label, user, paths in (("baseline: GET /members/districts (trivial)", "grassroots1", baseline_paths),
                                   ("member list, paged (grassroots, 100k-member union)", "grassroots1", pages),
                                   ("  same, pages 2+ without the total (with_total=false)", "grassroots1", later_pages),
                                   ("member search by name / ID (grassroots)", "grassroots1", searches),
                                   ("member list, paged (district, whole district)", "district", pages)):
            hammer(system, user, paths, min(args.clients, 5), 3)  # warm up
            samples = hammer(system, user, paths, args.clients, args.requests)
            print(f"  {label:<52s} {percentiles(samples)}", flush=True)
        print("  goal: p99 ≤ 50 ms for the member list")
    finally:
        system.stop()


if __name__ == "__main__":
    main()
