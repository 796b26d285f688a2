"""Shared set-up for the members benchmarks: a fresh PostgreSQL database with the members
service's migrations, a city-sized roster generated with COPY, rosters as workbooks, timing.
Run a benchmark as a module, e.g. `.venv/bin/python -m bench.members_sync`."""

from __future__ import annotations

import io
import os
import statistics
import time
from contextlib import contextmanager
from datetime import date, timedelta

import psycopg

from bench import scratch
from common import crypto

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
OTHER_UNIONS = 1000
BIRTH0 = date(1960, 1, 1)


def person_id(n: int) -> str:
    """A distinct valid resident ID for person n (n < 10,000,000)."""
    from services.members.domain.idcard import check_char

    first17 = f"310101{(BIRTH0 + timedelta(days=n // 1000)).strftime('%Y%m%d')}{n % 1000:03d}"
    return first17 + check_char(first17)


def fresh_database(label: str):
    """The members runtime on a new PostgreSQL database, dropped afterwards."""
    return scratch.fresh_database("members", label)


def plain_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://")


def generate_roster(
    url: str,
    members: int,
    home_union_size: int,
    unattached: int,
    home_union: int | None = None,
    district: int | None = None,
    vault: crypto.Vault | None = None,
) -> int:
    """`members` people: the first `home_union_size` in the home union, the last `unattached` in
    no union, the rest spread over OTHER_UNIONS unions. Creates the district and unions unless
    given (the home union's id is returned). Sealed under `vault`'s keys: those of the system that
    will read the rows (default: this process's own data folder)."""
    from common.pii import mask_id, mask_mobile

    vault = vault or crypto.vault()  # the roster stored as members stores it: sealed, indexed, masked
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        if district is None:
            district = conn.execute(
                "INSERT INTO districts (name, kind, special_industry, version, created_at) "
                "VALUES ('基准测试区总工会', 'district', false, 1, now()) RETURNING id"
            ).fetchone()[0]
        first_other = conn.execute(
            "INSERT INTO unions (name, credit_code, district_id, contact_person, phone, version, created_at) "
            "SELECT '基准单位' || n || '工会', 'BENCH' || lpad(n::text, 13, '0'), %s, '联系人', '13800000000', 1, now() "
            "FROM generate_series(1, %s) n RETURNING id",
            (district, OTHER_UNIONS + 1),
        ).fetchall()
        union_ids = [r[0] for r in first_other]
        if home_union is None:
            home_union = union_ids[0]
        others = union_ids[1:]
        numbered = conn.execute("SELECT last FROM member_number_counter WHERE id = 1").fetchone()[0]
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY members (union_id, name, id_type, id_sealed, id_index, id_masked, gender, birth_date, "
                "address, mobile_sealed, mobile_masked, "
                "education, household_type, skill_grade, union_post, member_no, status, synced, removed, "
                "version, created_at, updated_at) FROM STDIN"
            ) as copy,
        ):
            for n in range(members):
                if n < home_union_size:
                    union = home_union
                elif n >= members - unattached:
                    union = None
                else:
                    union = others[n % len(others)]
                number = person_id(n)
                copy.write_row(
                    (
                        union,
                        f"会员{n}",
                        "resident",
                        vault.seal("id_number", number),
                        vault.index("id_number", number),
                        mask_id(number),
                        "男" if n % 2 else "女",
                        BIRTH0 + timedelta(days=n // 1000),
                        "上海市",
                        vault.seal("mobile", f"139{n:08d}"),
                        mask_mobile(f"139{n:08d}"),
                        "大学本科",
                        "非农业",
                        "无",
                        "工会会员",
                        f"{numbered + n + 1:010d}",
                        "normal" if union else "left",
                        False,
                        False,
                        1,
                        "2019-01-01",
                        "2019-01-01",
                    )
                )
        conn.execute("UPDATE member_number_counter SET last = %s", (numbered + members,))
        conn.execute(
            "VACUUM ANALYZE members"
        )  # the steady state autovacuum keeps (visibility map for index-only counts)
        conn.execute("ANALYZE")
    return home_union


def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名单")
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def parse_seconds(data: bytes) -> float:
    """The bare calamine parse of a workbook (the baseline for an upload)."""
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    return time.perf_counter() - started


def parse_cpu_seconds(data: bytes) -> float:
    """The CPU time of the bare parse: the baseline that a busy machine does not move."""
    from python_calamine import CalamineWorkbook

    started = time.process_time()
    CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    return time.process_time() - started


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
    return f"p50 {p(0.50):7.1f} ms  p99 {p(0.99):7.1f} ms  mean {statistics.mean(ordered) * 1000:7.1f} ms  n={len(ordered)}"


@contextmanager
def timed(label: str, results: dict):
    started = time.perf_counter()
    yield
    results[label] = time.perf_counter() - started
    print(f"  {label:<60s} {results[label]:8.2f} s", flush=True)
