"""同步会员 (SPEC §2.5): a union uploads its whole roster; every row is compared with the members
(adapters.roster_sql.RosterComparison) and, if no row is an error, each category is applied at
once. Accepted as a job (its file stored), run on members' worker; a dry run only counts. What a
run found is read back by sync_results.py.

Seams: `id_lookups.count_lookups` (every row asks the register), the steps of transfers
(`transfers.move_unattached`, `transfers.publish_requested`) and of an upload job (`uploads.*`:
start, progress, outcome, refusal). It offers `run_sync` to upload_jobs (the worker's message)."""

from __future__ import annotations

import logging

from common import clock, excel
from common.db import UoW
from common.errors import AppError
from common.identity import Identity
from services.members import contracts
from services.members.adapters import roster_file, upload_store
from services.members.adapters.roster_sql import RosterComparison
from services.members.domain.roster_sync import person_rows
from services.members.handlers.id_lookups import count_lookups
from services.members.handlers.transfers import move_unattached, publish_requested
from services.members.handlers.uploads import (
    Completed,
    complete_upload,
    report_progress,
    rows_rejected,
    run_job,
    start_upload,
)

log = logging.getLogger("members")

SAMPLE_ROWS = 100  # of each category a dry run shows in its answer (the counts are complete)


def sync_roster(uow: UoW, who: Identity, data: bytes, job_id: int, dry_run: bool = False):
    """`data` is the job's stored file: the roster as the request read it (adapters.roster_file).
    Classify every row A/B/C/E and every other member of the union D; any error row →
    nothing applied. Set-based: one temporary table, one join, one statement per category. A
    dry run answers the counts and the rows that would change. The job's outcome — applied, or
    refused with every error — is recorded in the transaction that decides it."""
    who.require("grassroots")
    union_id = who.union_id
    roster = roster_file.read(data)  # as the request read it (or a workbook, read now)
    report_progress(uow, job_id, 0, roster.total, "正在校验证件号码")
    people, errors = person_rows(roster.cells, clock.today())
    errors, total = roster.formula_errors + errors, roster.total
    del roster  # its columns: the people hold what the job needs of them
    # progress is reported between transactions (never while one holds SQLite's write lock)
    report_progress(uow, job_id, total // 2, total, "正在与系统会员比对并更新")
    result = None
    with uow.fresh() as work:
        with RosterComparison(work.session, union_id, people) as found:
            categories = found.counts()
            in_database = sum(categories.get(c, 0) for c in ("E", "N", "P"))
            counts = {
                "A": categories.get("A", 0),
                "B": categories.get("B", 0),
                "C": categories.get("C", 0),
                "D": 0,
                "E": len({e.row for e in errors}) + in_database,
            }  # a row found wrong here never reaches the join
            if errors or in_database or dry_run:  # an applied run counts D as it marks them, below
                counts["D"] = found.count_not_in_file()
            if errors or in_database:
                # refused: every error recorded with the job's outcome, in this one transaction —
                # the file's own errors from Python, the comparison's straight from the join
                refused = rows_rejected(errors, counts)
                stored = found.store_errors(job_id, f"row_no * {upload_store.PER_ROW} + {upload_store.SET_BASED}")
                complete_upload(
                    work,
                    job_id,
                    False,
                    counts=counts,
                    errors=refused.extra["rows"],
                    message=refused.message,
                    more_errors=stored,
                )
            elif dry_run:
                # the comparison holds ID numbers masked only: the samples show them so
                samples = {
                    c: [
                        {"row": row, "name": name, "id_number": masked}
                        for row, name, masked, _ in found.rows((c,), SAMPLE_ROWS)
                    ]
                    for c in ("B", "C")
                }
                samples["D"] = [
                    {"name": name, "id_number": masked} for name, masked in found.sample_not_in_file(SAMPLE_ROWS)
                ]
                # who falls in C and D, all of them: the run's stored result (its pages, its workbook)
                found.record_other_union(job_id)
                found.record_not_in_file(job_id)
                result = {
                    "dry_run": True,
                    "would_mark_synced": found.count_would_sync(),
                    "rows": samples,
                    "truncated_at": SAMPLE_ROWS,
                }
                complete_upload(work, job_id, True, counts=counts, result=result)
            else:
                found.mark_synced()
                found.record_other_union(job_id)
                counts["D"] = found.mark_not_in_file(job_id)
                move_unattached(work, who, found, job_id, synced=True)
                requested_at = clock.utcnow_naive()
                found.request_transfers(job_id, who.user, requested_at)
                publish_requested(work, union_id, who.user, requested_at)
                work.publish(
                    contracts.ROSTER_SYNCED, {"union_id": union_id, "run_id": job_id, "applied": True, "counts": counts}
                )
                complete_upload(work, job_id, True, counts=counts)  # applied and finished together, or neither
        work.commit()
    return Completed((counts, result))


def accept_sync(uow: UoW, who: Identity, filename: str, data: bytes, dry_run: bool) -> int:
    """Read the file (a format or header error is answered at once, 422, as for every kind of
    upload), count its rows against the union's daily ID lookups (over the allowance: 429, no
    job), then take the union's upload lock and hand the sync to the worker: the count, the job,
    the roster as read here (so the worker does not read the workbook again) and its work message
    are committed together. Its progress starts at 0 / rows."""
    who.require("grassroots")
    read = roster_file.read_workbook(data)
    total, roster = read.total, roster_file.pack(read)
    del read  # not held beside the packed roster while the job is stored
    # a dry run answers the oracle as well: its rows count, committed with the job (or refused, 429)
    count_lookups(uow, who, total)
    return start_upload(
        uow,
        who,
        "sync",
        filename,
        dry_run,
        total=total,
        data=roster,
        publish=(contracts.UPLOAD_ACCEPTED, {"kind": "sync", "dry_run": dry_run, "who": who_data(who)}),
    )


def who_data(who: Identity) -> dict:
    """The uploader as the work message carries it (domain.facts.parse_upload_accepted reads it)."""
    return {"user": who.user, "role": who.role, "union_id": who.union_id, "district_id": who.district_id}


def run_sync(uow: UoW, who: Identity, data: bytes, job_id: int, dry_run: bool) -> None:
    """The sync job's work, on the worker: recorded in the job however it ends."""
    try:
        with excel.collector_paused():
            run_job(uow, job_id, lambda j: sync_roster(uow, who, data, j, dry_run))
    except AppError:
        pass  # recorded in the job
