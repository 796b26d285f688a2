"""同步会员 (SPEC §2.5): a union uploads its whole roster; every row is compared with the members
(adapters.roster_sql.RosterComparison) and, if no row is an error, each category is applied at
once. Runs as an upload job in the background; a dry run only counts. Its result workbook."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from common import clock, excel
from common.errors import AppError, NotFound
from common.identity import Identity
from services.members import contracts
from services.members.adapters import excel as xl
from services.members.adapters import roster_file, upload_store
from services.members.adapters.orm import District, GrassrootsUnion, Member, SyncRunItem, TransferRequest, UploadJob
from services.members.adapters.roster_sql import RosterComparison
from services.members.domain.roster_sync import person_rows
from services.members.handlers.id_lookups import count_lookups
from services.members.handlers.transfers import move_unattached, publish_requested
from services.members.handlers.uploads import (
    Completed,
    complete_upload,
    get_upload,
    report_progress,
    rows_rejected,
    run_job,
    start_upload,
)

log = logging.getLogger("members")

SAMPLE_ROWS = 100  # of each category a dry run shows in its answer (the counts are complete)


def sync_roster(uow, who: Identity, data: bytes, job_id: int, dry_run: bool = False):
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


def accept_sync(uow, who: Identity, filename: str, data: bytes, dry_run: bool) -> int:
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
    return {"user": who.user, "role": who.role, "union_id": who.union_id, "district_id": who.district_id}


def run_sync(uow, who: Identity, data: bytes, job_id: int, dry_run: bool) -> None:
    """The sync job's work, on the worker: recorded in the job however it ends."""
    try:
        with excel.collector_paused():
            run_job(uow, job_id, lambda j: sync_roster(uow, who, data, j, dry_run))
    except AppError:
        pass  # recorded in the job


TRANSFER_STATES = {"pending": "待审核", "approved": "已通过", "rejected": "已驳回", "cancelled": "已取消"}
PEOPLE_CATEGORIES = ("C", "D")


def _run_people(session, job_id: int, category: str):
    """A sync run's stored C or D people (sync_run_items), in the order the run found them: name,
    masked ID number, member number, and the union they were in (C: another; D: this one)."""
    source = GrassrootsUnion.__table__.alias("source")
    district = District.__table__.alias("source_district")
    return (
        select(
            Member.name,
            Member.id_masked,
            Member.member_no,
            source.c.name.label("union_name"),
            source.c.contact_person,
            source.c.phone,
            district.c.name.label("district_name"),
        )
        .select_from(SyncRunItem)
        .join(Member, Member.id == SyncRunItem.member_id)
        .outerjoin(source, source.c.id == SyncRunItem.from_union_id)
        .outerjoin(district, district.c.id == source.c.district_id)
        .where(SyncRunItem.job_id == job_id, SyncRunItem.category == category)
    )


def sync_people(uow, who: Identity, job_id: int, category: str, page: int = 1, per_page: int = 50) -> dict:
    """A page of a sync run's C (in another union) or D (in this union, not in the file) people —
    a dry run's (who would be asked for, who would be marked 未同步) as a real run's."""
    job = get_upload(uow, who, job_id)
    if job.kind != "sync" or category not in PEOPLE_CATEGORIES:
        raise NotFound()
    session = uow.session
    total = session.scalar(
        select(func.count())
        .select_from(SyncRunItem)
        .where(SyncRunItem.job_id == job.id, SyncRunItem.category == category)
    )
    rows = session.execute(
        _run_people(session, job.id, category).order_by(SyncRunItem.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "category": category,
        "items": [
            {
                "name": r.name,
                "id_number": r.id_masked,
                "member_no": r.member_no,
                "union_name": r.union_name,
                "district_name": r.district_name,
            }
            for r in rows
        ],
    }


def _dry_run_rows(session, job: UploadJob) -> list[list]:
    """A dry run's result rows: who it found in another union (C) and who is not in the file (D),
    from the run's stored result, said as what a real sync would do with them."""
    rows = []
    for r in session.execute(_run_people(session, job.id, "C").order_by(SyncRunItem.id)):
        rows.append(
            [
                r.name,
                r.id_masked,
                r.union_name,
                r.contact_person,
                r.phone,
                r.district_name,
                "预检：将申请转入",
                "在其他工会，同步后将向原单位申请转入本单位",
            ]
        )
    for r in session.execute(_run_people(session, job.id, "D").order_by(SyncRunItem.id)):
        rows.append(
            [
                r.name,
                r.id_masked,
                r.union_name,
                r.contact_person,
                r.phone,
                "",
                "预检：将标记未同步",
                "不在本次上传名单内，同步后同步状态为“否”，可进行转出操作",
            ]
        )
    return rows


def sync_result_workbook(uow, who: Identity, job_id: int) -> tuple[str, bytes]:
    """导出结果 of a sync run: 姓名, 证件号码, 原所属单位, 原单位负责人, 原单位联系电话,
    原单位所属区局, 审核状态, 审核说明 (the approval state as it is now)."""
    job = get_upload(uow, who, job_id)
    if job.kind != "sync":
        raise NotFound()
    session = uow.session
    rows = []
    if job.state == "succeeded" and job.dry_run:
        rows = _dry_run_rows(session, job)
    if job.state == "succeeded" and not job.dry_run:
        source = GrassrootsUnion.__table__.alias("source")
        district = District.__table__.alias("source_district")
        for r in session.execute(
            select(
                Member.name,
                Member.id_masked,
                TransferRequest.status,
                TransferRequest.reason,
                source.c.name,
                source.c.contact_person,
                source.c.phone,
                district.c.name.label("district"),
            )
            .join(Member, Member.id == TransferRequest.member_id)
            .join(source, source.c.id == TransferRequest.from_union_id)
            .join(district, district.c.id == source.c.district_id)
            .where(TransferRequest.job_id == job.id)
            .order_by(TransferRequest.id)
        ):
            note = {
                "pending": "会员转出待原单位审核",
                "approved": "原单位已同意转出，会员已转入本单位",
                "rejected": "原单位驳回：" + (r.reason or ""),
                "cancelled": r.reason or "申请已取消",
            }[r.status]
            rows.append(
                [r.name, r.id_masked, r[4], r.contact_person, r.phone, r.district, TRANSFER_STATES[r.status], note]
            )
        own = session.get(GrassrootsUnion, job.union_id)
        for category, name, number in session.execute(
            select(SyncRunItem.category, Member.name, Member.id_masked)
            .join(Member, Member.id == SyncRunItem.member_id)
            .where(SyncRunItem.job_id == job.id, SyncRunItem.category.in_(("B", "D")))
            .order_by(SyncRunItem.category, SyncRunItem.id)
        ):
            if category == "B":
                rows.append(
                    [name, number, "", "", "", "", "已转入", "已录入系统但无组织的会员，已直接转入本单位，无须审核"]
                )
            else:
                rows.append(
                    [
                        name,
                        number,
                        own.name,
                        own.contact_person,
                        own.phone,
                        "",
                        "未同步",
                        "不在本次上传名单内，同步状态为“否”，可进行转出操作",
                    ]
                )
    stamp = clock.file_stamp(job.created_at)  # Shanghai time, as the screens show it
    errors = upload_store.all_errors(session, job.id) if job.error_count else []
    return f"同步结果_{stamp}.xlsx", xl.sync_result(rows, errors, job.counts)
