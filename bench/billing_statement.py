"""Benchmark: the centre imports a 10,000-line bank statement as the bank exported it (PostgreSQL),
beside a bare parse of the same file. Run: `.venv/bin/python -m bench.billing_statement [lines]
[--repeat N]`.

The statement: an 工商银行-like export (title rows above the header, 借方/贷方 columns, 摘要 and
用途, 交易流水号) of `lines` credit lines, as .xlsx and as a GBK CSV: 400 lines pay 200 of the
year's 1,000 open batches by batch number (each in two parts), 100 more by payer and amount, and
the rest are other income from 1,000 payers the system does not know — what the centre's
account receives. Each run starts on a fresh database with the same batches.

Timed, per format: the bare parse (python-calamine reading every row of the .xlsx; the csv
module reading the decoded CSV), our read of the file (checks, layout, every cell to the fen and
the day — what `adapters/statement_files.py` does), the import as the API does it (read,
fingerprint, lock and match, write every line and ledger entry, commit, then the result of
10,000 lines), and the same file imported again (every line 已导入过). Goal: an import < 5 s."""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import time
from datetime import date, datetime, timedelta

from bench import scratch
from bench.figures import load, spread

LINES = 10_000
BATCHES, DISTRICTS = 1_000, 50
YEAR = 2020
HEADER = [
    "交易日期",
    "对方户名",
    "对方账号",
    "借方发生额（支取）",
    "贷方发生额（收入）",
    "余额",
    "摘要",
    "用途",
    "交易流水号",
]


def district_name(d: int) -> str:
    return f"第{d:02d}区总工会"


def statement_rows(lines: int) -> list[list]:
    rows = [
        ["中国工商银行 单位账户交易明细"],
        ["账号：1001234509876543210", "户名：上海市职工保障互助中心"],
        ["起止日期：2020-01-01 至 2020-01-31"],
        HEADER,
    ]
    day = date(2020, 1, 2)
    for n in range(lines):
        if n < 400:  # 200 batches paid in two parts each, the batch number in 用途
            b = n // 2 + 1
            payer, fen, memo = (
                district_name(b % DISTRICTS + 1),
                due_fen(b) // 2 + (due_fen(b) % 2 if n % 2 else 0),
                f"CB2019123{b:05d} 参保款",
            )
        elif n < 500:  # by payer and the exact amount still due
            b = 200 + (n - 400) * 5 + 1
            payer, fen, memo = district_name(b % DISTRICTS + 1), due_fen(b), "参保款"
        else:  # other income
            payer, fen, memo = f"上海某某有限公司{n % 1000:04d}", 10_000 + (n * 7919) % 5_000_000, f"货款 {n}"
        when = day + timedelta(days=n * 28 // lines)
        rows.append(
            [
                when.isoformat(),
                payer,
                "6222000011112222",
                "",
                f"{fen // 100:,}.{fen % 100:02d}",
                "9,999.00",
                "转账",
                memo,
                f"HQ{when:%Y%m%d}{n:08d}",
            ]
        )
    rows.append(["合计"])
    return rows


def due_fen(batch: int) -> int:
    return 100_000 + batch * 1_234


def xlsx_of(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("交易明细")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_of(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("gbk")


def seed(runtime) -> None:
    from sqlalchemy import insert

    from services.billing.adapters.orm import Batch, DistrictView

    now = datetime(2019, 12, 30, 2)
    with runtime.engine.begin() as conn:
        conn.execute(
            insert(DistrictView),
            [
                {
                    "district_id": d,
                    "name": district_name(d),
                    "kind": "district",
                    "special_industry": False,
                    "version": 1,
                }
                for d in range(1, DISTRICTS + 1)
            ],
        )
        conn.execute(
            insert(Batch),
            [
                {
                    "batch_id": b,
                    "batch_no": f"CB2019123{b:05d}",
                    "district_id": b % DISTRICTS + 1,
                    "cover_year": YEAR,
                    "mode": "centralised",
                    "headcount": 10,
                    "by_type": "[]",
                    "submission_ids": "[]",
                    "premium_fen": due_fen(b),
                    "city_subsidy_fen": 0,
                    "union_share_fen": due_fen(b),
                    "credit_applied_fen": 0,
                    "due_fen": due_fen(b),
                    "pay_by": date(2020, 1, 20),
                    "handler_name": "张",
                    "handler_phone": "13800000000",
                    "handler_email": "a@b.cn",
                    "submitted_at": "2019-12-30T10:00:00+08:00",
                    "priced_at": now,
                    "status": "awaiting_payment",
                    "bank_matched_fen": 0,
                }
                for b in range(1, BATCHES + 1)
            ],
        )


def timed(label: str, results: dict, fn, runtime=None):
    """Wall time, and the CPU time spent on it beside it: this process's, and (with `runtime`) that
    of the database's PostgreSQL backends (bench.members_sync's DatabaseCpu, from /proc). On a
    shared machine the wall time moves with the load; the CPU times much less."""
    from bench.members_sync import DatabaseCpu

    started, cpu = time.perf_counter(), time.process_time()
    if runtime is None:
        value, database = fn(), None
    else:
        with DatabaseCpu(runtime) as database:
            value = fn()
    results[label] = time.perf_counter() - started
    results[label + " (CPU)"] = time.process_time() - cpu
    said = f"   CPU {results[label + ' (CPU)']:5.2f} s"
    if database is not None:
        results[label + " (database CPU)"] = database.seconds
        said += f" + database {database.seconds:5.2f} s"
    print(f"  {label:60s} {results[label]:8.2f} s{said}")
    return value


def run_once(files: dict[str, bytes], lines: int) -> dict:
    results: dict[str, float] = {}
    for kind, content in files.items():
        one_format(kind, content, lines, results)
    return results


def one_format(kind: str, content: bytes, lines: int, results: dict) -> None:
    """One file on a fresh database: the bare parse, our read, the import, the import again."""
    from python_calamine import CalamineWorkbook

    from common import clock
    from common.identity import Identity
    from services.billing.adapters.statement_files import read_bank_statement
    from services.billing.handlers import bank_statements, statement_results

    centre = Identity("bench", "centre")

    def bare():
        if kind == "xlsx":
            return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
        return list(csv.reader(io.StringIO(content.decode("gb18030"))))

    with scratch.fresh_database("billing", "statement") as runtime:
        seed(runtime)
        clock.set_now(datetime(2020, 2, 1, 9, tzinfo=clock.SHANGHAI))

        def import_once():
            with runtime.uow() as work:
                statement = bank_statements.import_bank_statement(work, centre, content, f"明细.{kind}")
                return statement_results.statement_result(work, centre, statement.id)

        rows = timed(f"{kind}: bare parse of the file", results, bare)
        assert len(rows) >= lines
        read = timed(
            f"{kind}: our read (checks, layout, cells to fen and day)", results, lambda: read_bank_statement(content)
        )
        assert len(read.lines) == lines
        first = timed(f"{kind}: import as the API does it, with its result", results, import_once, runtime)
        again = timed(f"{kind}: the same file imported again (all 已导入过)", results, import_once, runtime)
        assert (first["matched_count"], again["duplicate_count"]) == (500, lines), (
            first["matched_count"],
            again["duplicate_count"],
        )
        clock.set_now(None)


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("lines", type=int, nargs="?", default=LINES)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = statement_rows(args.lines)
    files = {"xlsx": xlsx_of(rows), "csv": csv_of(rows)}
    print(
        f"billing: a bank statement of {args.lines:,} credit lines against {BATCHES:,} open batches (PostgreSQL); "
        f".xlsx {len(files['xlsx']) / 1e6:.1f} MB, GBK CSV {len(files['csv']) / 1e6:.1f} MB"
    )
    runs = []
    for n in range(args.repeat):
        print(f"run {n + 1} of {args.repeat}, {load()}")
        runs.append(run_once(files, args.lines))
    print(f"\nbank statement, {args.repeat} runs (min / median / max), {load()}:")
    labels = list(runs[0])
    for label in labels:
        print(f"  {label:60s} {spread([r[label] for r in runs])}")
    for kind in files:
        imports = [r[f"{kind}: import as the API does it, with its result"] for r in runs]
        ratios = [
            r[f"{kind}: import as the API does it, with its result"] / r[f"{kind}: bare parse of the file"]
            for r in runs
        ]
        print(
            f"  {kind + ': import ÷ bare parse, each run':60s} {spread(ratios, '×', 1)}  (goal: import < 5 s: "
            f"{'met in every run' if max(imports) < 5 else f'{sum(x >= 5 for x in imports)} runs at or above'})"
        )
    return {label: statistics.median(r[label] for r in runs) for label in labels}


if __name__ == "__main__":
    main()
