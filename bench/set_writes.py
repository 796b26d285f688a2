"""Set writes as one `INSERT … SELECT FROM unnest(arrays)` against the executemany they replace
(decision 0049, round two), on fresh migrated databases: enrollment's `member_view` upserts (sets
of new rows, then the same members' newer versions) and members' import of new members
(`insert_new_members`, into `members` and its indexes). Each side runs in turn, three times; CPU
of this process (client) and of its PostgreSQL backend (`/proc`, so PostgreSQL on this machine)
per row.

    .venv/bin/python -m bench.set_writes [--sets 20] [--rows 1000]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text

from bench.scratch import fresh_database


def _backend_cpu(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _old_path(module: Any):
    """The module's set writes as before this round: `set_writable` says no, the executemany runs."""
    original = module.set_writable
    module.set_writable = lambda *_: False
    try:
        yield
    finally:
        module.set_writable = original


def _measure(runtime, write: Callable[[Any, int], None], sets: int, rows: int, offset: int) -> tuple[float, float]:
    with runtime.sessions() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        client, server = time.process_time(), _backend_cpu(pid)
        for k in range(sets):
            write(session, offset + k * rows)
            session.commit()
        client, server = time.process_time() - client, _backend_cpu(pid) - server
    return 1e6 * client / (sets * rows), 1e6 * server / (sets * rows)


def _report(label: str, figures: dict[str, list[tuple[float, float]]]) -> None:
    print(label)
    for side, runs in figures.items():
        cells = "  ".join(f"{c:5.1f} + {s:5.1f}" for c, s in runs)
        print(f"  {side:11s} µs a row (client + server): {cells}")
    old = sum(c + s for c, s in figures["executemany"]) / len(figures["executemany"])
    new = sum(c + s for c, s in figures["unnest"]) / len(figures["unnest"])
    print(f"  unnest {new:.1f} µs a row against executemany {old:.1f}: {new / old:.2f}×")


def member_view(sets: int, rows: int) -> None:
    import common.readmodel as readmodel

    with fresh_database("enrollment", "setwrites") as runtime:
        from services.enrollment.adapters.orm import MemberView

        def snapshots(start: int, version: int) -> list[dict]:
            return [
                {
                    "member_id": i,
                    "union_id": 7,
                    "district_id": 2,
                    "name": f"会员{i}",
                    "id_type": "resident",
                    "id_sealed": f"v1:sealed{i}",
                    "id_index": f"{i:040d}",
                    "id_masked": "3101**********1234",
                    "member_no": f"M{i:06d}",
                    "status": "normal",
                    "card_number": f"C{i}",
                    "card_issued_on": date(2020, 1, 1),
                    "card_recorded_at": datetime(2020, 1, 1, tzinfo=UTC),
                    "removed": False,
                    "version": version,
                }
                for i in range(start, start + rows)
            ]

        def write(session, start: int) -> None:
            readmodel.upsert_many_if_newer(session, MemberView, "member_id", snapshots(start, 1))
            readmodel.upsert_many_if_newer(session, MemberView, "member_id", snapshots(start, 2))

        figures: dict[str, list[tuple[float, float]]] = {"executemany": [], "unnest": []}
        for run in range(3):
            with _old_path(readmodel):
                c, s = _measure(runtime, write, sets, rows, 10_000_000 * (2 * run + 1))
            figures["executemany"].append((c / 2, s / 2))  # two upserts a row
            c, s = _measure(runtime, write, sets, rows, 10_000_000 * (2 * run + 2))
            figures["unnest"].append((c / 2, s / 2))
    _report(f"member_view upserts, {sets} sets of {rows} new rows and {sets} of their newer versions", figures)


def new_members(sets: int, rows: int) -> None:
    import services.members.adapters.new_members as module

    with fresh_database("members", "setwrites") as runtime:
        now = datetime(2020, 1, 1)

        def members(start: int) -> list:
            return [
                module.new_member(
                    {
                        "name": f"会员{i}",
                        "id_type": "resident",
                        "id_sealed": f"v1:sealed{i}",
                        "id_index": f"{i:039d}",
                        "id_masked": "3101**********1234",
                        "gender": "男",
                        "birth_date": None,
                        "address": "上海市静安区",
                        "mobile": f"139{i % 100_000_000:08d}",
                        "education": "高中",
                        "household_type": "农业",
                        "skill_grade": "无",
                        "union_post": "工会会员",
                    },
                    None,
                    now,
                )
                for i in range(start, start + rows)
            ]

        figures: dict[str, list[tuple[float, float]]] = {"executemany": [], "unnest": []}
        for run in range(3):
            for side, offset in (("executemany", 2 * run + 1), ("unnest", 2 * run + 2)):
                built = {
                    start: members(start)
                    for start in range(10_000_000 * offset, 10_000_000 * offset + sets * rows, rows)
                }

                def write(session, start: int, built: dict = built) -> None:
                    module.insert_new_members(session, built[start])

                if side == "executemany":
                    with _old_path(module):
                        figures[side].append(_measure(runtime, write, sets, rows, 10_000_000 * offset))
                else:
                    figures[side].append(_measure(runtime, write, sets, rows, 10_000_000 * offset))
    _report(f"an import's new members (insert_new_members), {sets} sets of {rows}", figures)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.set_writes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=int, default=20)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args(argv)
    print(f"load {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}")
    member_view(args.sets, args.rows)
    new_members(args.sets, args.rows)
    print(f"load {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}")


if __name__ == "__main__":
    main()
