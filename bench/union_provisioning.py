"""工会批量导入 at city scale (issue 27 item 4): the centre loads 100,000 grassroots unions and 50
districts with their clerks from one workbook; goal ≤ 60 s for the unions registered and every
clerk's account made inactive with its activation link and its mail queued. Beside it, in the
same run on the same PostgreSQL: a bare COPY of the same rows (the nine columns as text) into
a table of their own — the baseline; it prints both and the ratio.

    .venv/bin/python -m bench.union_provisioning [--unions 100000] [--districts 50]

What is timed is what the system does, in process, on fresh databases (members, gateway,
enrollment), each step as its own code runs it:
  request     members' `accept_union_import`: the file read for format errors, the job, its file
              and its work message committed together (the HTTP answer 202)
  job         members' worker: `upload_jobs.run_upload_when_accepted` — every row checked, the
              directory compared, the unions inserted, their events written, one transaction
  accounts    the gateway's consumer (`EventConsumer`, its inbox) on every members.clerks.loaded
              message: accounts, links and mail events in sets
  total       the three: the clerks' mails are queued (the gateway's outbox) when it ends
Beside the goal, not in it: enrollment's consumer on every members.unions.registered message
(the directory read model keeping up), and the bus itself (a few dozen messages, not 100,000).
The workbook is generated first (not timed)."""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.scratch import PG_ADMIN_URL
from bench.scratch import fresh_database as fresh_service_database

GOAL_SECONDS = 60.0
HEADER = [
    "层级",
    "名称",
    "统一社会信用代码",
    "所属区局（产业）工会",
    "区局类型",
    "代办员姓名",
    "代办员手机",
    "代办员邮箱",
    "用户名",
]


def rows(unions: int, districts: int) -> list[list[str]]:
    from deploy.seed import credit_code

    out = [
        [
            "区局（产业）工会",
            f"批量区{d:03d}总工会",
            "",
            "",
            "区局工会",
            f"区代办{d}",
            f"1370000{d:04d}",
            f"d{d}@example.cn",
            f"bulk-d{d}",
        ]
        for d in range(districts)
    ]
    out += [
        [
            "基层工会",
            f"批量单位{u:06d}工会",
            credit_code(f"91310000MD{u:07d}"),
            f"批量区{u % districts:03d}总工会",
            "",
            f"代办员{u}",
            f"139{u:08d}",
            f"u{u}@example.cn",
            f"bulk-u{u}",
        ]
        for u in range(unions)
    ]
    return out


def workbook(table: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工会批量导入")
    ws.append(HEADER)
    for row in table:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@contextmanager
def gateway_database():
    """The gateway's runtime on a new PostgreSQL database, migrated, dropped afterwards."""
    name = f"bench_gateway_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["GATEWAY_DATABASE_URL"] = (
        PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
    )
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-"))
    from common.migrate import upgrade
    from gateway.bootstrap import runtime

    runtime.reset()
    upgrade("gateway")
    try:
        yield runtime
    finally:
        runtime.reset()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def outbox(runtime, event_type: str) -> list[dict]:
    from sqlalchemy import select

    table = runtime.messaging.outbox if hasattr(runtime, "messaging") else runtime.messages.outbox
    with runtime.engine.connect() as conn:
        payloads = conn.execute(select(table.c.payload).where(table.c.type == event_type).order_by(table.c.id))
        return [json.loads(p) for p in payloads.scalars()]


def deliver(runtime, events: list[dict]) -> None:
    """As the service's consumer applies them: inbox, handler, commit — a message at a time."""
    from common.bus import Delivery
    from common.consumer import EventConsumer

    for event in events:
        sub = next(s for s in runtime.subscriptions if event["type"] in s.handlers)
        EventConsumer(runtime, sub)._handle([Delivery(event, None)])


def bare_copy(url: str, table: list[list[str]]) -> float:
    """The baseline: the same rows, nine text columns, COPY into a table of their own."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        conn.execute(
            "CREATE TABLE bench_bare (level text, name text, code text, district text, kind text, "
            "clerk text, mobile text, email text, username text)"
        )
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy("COPY bench_bare FROM STDIN") as copy:
            for row in table:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - started


class Cpu:
    """CPU seconds this process and the database's PostgreSQL backends spend in the block
    (bench.members_sync.DatabaseCpu): what the step cost, which a busy machine does not move."""

    def __init__(self, into: dict, label: str, runtime):
        from bench.members_sync import DatabaseCpu

        self.into, self.label, self.database = into, label, DatabaseCpu(runtime)

    def __enter__(self):
        self.started = time.process_time()
        self.database.__enter__()
        return self

    def __exit__(self, *exc):
        self.database.__exit__(*exc)
        self.into[self.label] = time.process_time() - self.started + self.database.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unions", type=int, default=100_000)
    parser.add_argument("--districts", type=int, default=50)
    args = parser.parse_args()
    started = time.perf_counter()
    table = rows(args.unions, args.districts)
    # the workbook is the same for the same sizes: kept between runs (writing it is most of a run)
    cached = Path(tempfile.gettempdir()) / f"bench-union-provisioning-{args.unions}-{args.districts}.xlsx"
    if not cached.exists():
        cached.write_bytes(workbook(table))
    data = cached.read_bytes()
    print(
        f"workbook: {len(table):,} rows, {len(data) / 1e6:.1f} MB ({time.perf_counter() - started:.1f} s to make"
        f" or read {cached}, not timed)",
        flush=True,
    )
    from common.identity import Identity
    from services.members import contracts
    from services.members.handlers import union_import, upload_jobs

    with (
        fresh_service_database("members", "union_provisioning") as members,
        gateway_database() as gateway,
        fresh_service_database("enrollment", "union_provisioning") as enrollment,
    ):
        figures: dict[str, float] = {}
        figures["bare COPY"] = bare_copy(os.environ["MEMBERS_DATABASE_URL"], table)
        who = Identity(user="bench-centre", role="centre", request_id="bench")
        cpu: dict[str, float] = {}
        t0 = time.perf_counter()
        with Cpu(cpu, "request", members):
            with members.uow() as uow:
                job_id = union_import.accept_union_import(uow, who, "bench.xlsx", data)
        t1 = time.perf_counter()
        (accepted,) = outbox(members, contracts.UPLOAD_ACCEPTED)
        with Cpu(cpu, "job", members), members.uow() as uow:
            upload_jobs.run_upload_when_accepted(uow, accepted)
        t2 = time.perf_counter()
        clerks = outbox(members, contracts.CLERKS_LOADED)
        with Cpu(cpu, "accounts", gateway):
            deliver(gateway, clerks)
        t3 = time.perf_counter()
        figures.update(request=t1 - t0, job=t2 - t1, accounts=t3 - t2, total=t3 - t0)
        cpu["total"] = sum(cpu.values())
        from services.members.adapters.orm import UploadJob

        with members.sessions() as session:
            job = session.get(UploadJob, job_id)
            state, counts, message = job.state, job.counts, job.message
        unions = outbox(members, contracts.UNIONS_REGISTERED)
        t4 = time.perf_counter()
        deliver(enrollment, unions)
        figures["enrollment read model"] = time.perf_counter() - t4
        from sqlalchemy import func, select

        from gateway.adapters.orm import Account, AccountLink

        with gateway.sessions() as session:
            accounts = session.scalar(select(func.count()).select_from(Account))
            links = session.scalar(select(func.count()).select_from(AccountLink))
        mails = len(outbox(gateway, "gateway.account.link_issued"))
    print(f"job: {state} {counts or message}")
    print(
        f"messages: {len(clerks)} members.clerks.loaded, {len(unions)} members.unions.registered; "
        f"gateway: {accounts:,} accounts, {links:,} links, {mails:,} mails queued"
    )
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores; figures move with it)")
    print(f"  {'':<24s} {'wall':>8s}   {'CPU: this process + PostgreSQL':>30s}")
    for label in ("bare COPY", "request", "job", "accounts", "total", "enrollment read model"):
        spent = f"{cpu[label]:8.2f} s" if label in cpu else ""
        print(f"  {label:<24s} {figures[label]:8.2f} s   {spent:>30s}")
    ratio = figures["total"] / figures["bare COPY"]
    verdict = "met" if figures["total"] <= GOAL_SECONDS and state == "succeeded" else "NOT met"
    print(f"total = {ratio:.1f}× the bare COPY; goal ≤ {GOAL_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
