"""批量导入会员 end to end through the gateway: a 1,000-row workbook (the most one upload may
hold) posted by a grassroots account, every process real (tests/system.py). Printed beside two
baselines from the same run: a trivial request through the same gateway, and the bare calamine
parse of the same file. Goal: ≤ 1 s.

    .venv/bin/python -m bench.members_import [--runs 5]

Each run imports 1,000 new people (adds); a last run re-imports the first file (updates)."""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench.members_common import parse_seconds, person_id, workbook

HEADER = [
    "姓名",
    "有效证件类型",
    "证件号码",
    "性别",
    "出生日期",
    "联系地址",
    "移动电话",
    "学历",
    "户籍类型",
    "技术等级",
    "工会职务",
]


def import_file(first: int, address: str = "上海市黄浦区") -> bytes:
    rows = [
        [f"导入{n}", "身份证", person_id(n), "", "", address, f"139{n:08d}", "大学本科", "非农业", "", ""]
        for n in range(first, first + 1000)
    ]
    return workbook([HEADER, *rows])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--embedded-bus",
        action="store_true",
        help="file-system bus instead of RabbitMQ (events are relayed off the measured path anyway)",
    )
    args = parser.parse_args()
    from tests.system import System

    extra = {"BUS_URL": "filesystem://"} if args.embedded_bus else None

    system = System(extra_env=extra).start()
    try:
        g1 = system.login("grassroots1")
        files = [import_file(100_000 + 1000 * i) for i in range(args.runs)]
        trivial = []
        for _ in range(20):
            started = time.perf_counter()
            g1.get("/api/v1/members/districts")
            trivial.append(time.perf_counter() - started)
        parse = min(parse_seconds(files[0]) for _ in range(3))
        print(
            "members import: 1,000 rows through the gateway (ID numbers and mobiles sealed, as always); load average "
            + " ".join(f"{v:.2f}" for v in os.getloadavg()),
            flush=True,
        )
        print(
            f"  {'baseline: trivial GET through the gateway (median of 20)':<58s} {statistics.median(trivial):7.3f} s"
        )
        print(f"  {'baseline: bare calamine parse of the file (best of 3)':<58s} {parse:7.3f} s")
        timings = []
        for i, data in enumerate([*files, import_file(100000, address="上海市静安区")]):
            started = time.perf_counter()
            response = g1.post(
                "/api/v1/members/uploads/import", files={"file": ("import.xlsx", data, "application/octet-stream")}
            )
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text[:300]
            body = response.json()
            timings.append(elapsed)
            label = f"import run {i + 1} (added {body['added']}, updated {body['updated']})"
            print(
                f"  {label:<58s} {elapsed:7.3f} s",
                flush=True,
            )
        print(
            f"  min / median / max {min(timings):.3f} / {statistics.median(timings):.3f} / {max(timings):.3f} s "
            f"over {len(timings)} runs; goal ≤ 1 s (median) → {'met' if statistics.median(timings) <= 1 else 'NOT met'}"
            "; load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())
        )
    finally:
        system.stop()


if __name__ == "__main__":
    main()
