"""Uploads as jobs (上传任务): one at a time per union, their progress and their outcome. Every
kind of upload runs through these steps (a seam, see handlers/__init__): `start_upload`,
`run_upload`/`run_job`, `report_progress`, `complete_upload`/`finish_upload` and `rows_rejected`,
the one way a file refused for its rows is answered. Reading jobs back (历史导入记录, a job's
errors) is upload_history.py.

A job's own steps — its progress, its work, its outcome — each commit in a unit of work of their
own, made with `uow.fresh()`: they may run in the job's thread after the caller's unit of work
has ended, and progress is reported between transactions (never while one holds SQLite's write
lock). Starting a job and reading one use the caller's unit of work."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from common import clock, excel
from common.db import UoW
from common.errors import AppError, Conflict
from common.identity import Identity
from services.members import contracts
from services.members.adapters import upload_store
from services.members.adapters.excel import RowsRejected
from services.members.adapters.orm import UploadJob

STALE_AFTER = timedelta(minutes=2)  # a job beats every HEARTBEAT_EVERY while it works
HEARTBEAT_EVERY = timedelta(seconds=10)
FIRST_ERRORS = 100  # a job's answer carries at most this many errors; the rest page or download
UPLOAD_BUSY = "本单位上一次上传还在处理中，请等待其完成后再上传（新的上传不会排队）"


def upload_lock_key(who: Identity) -> str:
    """The lock a caller's uploads take: a union's own, or the district's or the centre's."""
    return f"union:{who.union_id}" if who.role == "grassroots" else f"{who.role}:{who.district_id or 0}"


def start_upload(
    uow: UoW,
    who: Identity,
    kind: str,
    filename: str = "",
    dry_run: bool = False,
    total: int = 0,
    data: bytes | None = None,
    publish: tuple[str, dict] | None = None,
) -> int:
    """Record a running upload of `total` rows; refuse (409) if this union already has one
    running. The partial unique index on running jobs makes this hold across processes and
    replicas. A job that runs on the worker stores its file (`data`) and its work message
    (`publish`, through the outbox) in the same transaction: accepted means durable."""
    key = upload_lock_key(who)
    real = clock.real_utcnow_naive()
    stale = uow.session.scalars(
        update(UploadJob)
        .where(UploadJob.lock_key == key, UploadJob.state == "running", UploadJob.heartbeat_at < real - STALE_AFTER)
        .values(state="failed", message="处理中断（超时），请重新上传", finished_at=clock.utcnow_naive())
        .returning(UploadJob.id)
    ).all()
    for stale_id in stale:  # an ended job keeps no file (a roster is a list of ID numbers)
        upload_store.drop_file(uow.session, stale_id)
    job = UploadJob(
        lock_key=key,
        union_id=who.union_id if who.role == "grassroots" else None,
        kind=kind,
        dry_run=dry_run,
        state="running",
        filename=(filename or "")[:200],
        total=total,
        done=0,
        created_by=who.user,
        created_at=clock.utcnow_naive(),
        heartbeat_at=real,
    )
    uow.session.add(job)
    try:
        uow.session.flush()
        if data is not None:
            upload_store.store_file(uow.session, job.id, data)
        if publish is not None:
            uow.publish(publish[0], {**publish[1], "job_id": job.id})
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict(UPLOAD_BUSY, code="UPLOAD_IN_PROGRESS") from None
    return job.id


def report_progress(uow: UoW, job_id: int, done: int, total: int, message: str) -> None:
    with uow.fresh() as step:
        step.session.execute(
            update(UploadJob)
            .where(UploadJob.id == job_id)
            .values(done=done, total=total, message=message, heartbeat_at=clock.real_utcnow_naive())
        )
        step.commit()


def complete_upload(
    step: UoW, job_id: int, ok: bool, counts=None, errors=None, result=None, message=None, more_errors: int = 0
) -> None:
    """Record how a job ended inside the caller's unit of work (`step`), without committing: a
    sync records its outcome in the transaction that applies it, so that a job is applied and
    finished together or not at all. Errors go to their own table (every one), the job keeps
    their number (with `more_errors` the caller stored itself); its stored file is dropped."""
    job = step.session.get(UploadJob, job_id)
    job.state = "succeeded" if ok else "failed"
    job.counts, job.result = counts, result
    # a list upload's errors carry the cells as typed (the clerk's own file); a sync's are masked
    job.error_count = (
        upload_store.store_errors(step.session, job_id, errors or [], typed=job.kind != "sync") + more_errors
    )
    job.message = (message or ("处理完成" if ok else "处理失败"))[:500]
    job.done = job.total if ok or job.error_count else job.done  # a refused file was read to its end
    job.finished_at = clock.utcnow_naive()
    upload_store.drop_file(step.session, job_id)
    if job.kind == "sync" and not job.dry_run and job.union_id is not None and not ok:
        step.publish(
            contracts.ROSTER_SYNCED,
            {"union_id": job.union_id, "run_id": job.id, "applied": False, "counts": counts or {}},
        )


def finish_upload(uow: UoW, job_id: int, ok: bool, counts=None, errors=None, result=None, message=None) -> None:
    with uow.fresh() as step:
        complete_upload(step, job_id, ok, counts, errors, result, message)
        step.commit()


class Completed(tuple):
    """(counts, result) of a job whose work recorded its own outcome (complete_upload)."""


def run_upload(uow: UoW, who: Identity, kind: str, filename: str, process, dry_run: bool = False, total: int = 0):
    """Run `process(job_id)` under the union's upload lock; record the outcome in the job."""
    job_id = start_upload(uow, who, kind, filename, dry_run, total)
    return job_id, run_job(uow, job_id, process)


def run_job(uow: UoW, job_id: int, process):
    """Run a started job's work and record how it ended (its counts, or why it failed). A
    refusal for error rows is answered with the first FIRST_ERRORS of them, their number, and
    where to page on or download them all."""
    try:
        outcome = process(job_id)
    except RowsRejected as exc:
        rows = exc.extra.get("rows") or []
        finish_upload(uow, job_id, False, counts=exc.extra.get("counts"), errors=rows, message=exc.message)
        raise RowsRejected(
            exc.message,
            rows=rows[:FIRST_ERRORS],
            error_count=len(rows),
            job_id=job_id,
            counts=exc.extra.get("counts"),
            **error_links(job_id),
        ) from None
    except AppError as exc:
        finish_upload(uow, job_id, False, message=exc.message)
        raise
    except Exception:
        finish_upload(uow, job_id, False, message="系统内部错误，请稍后重试")
        raise
    counts, result = outcome
    if not isinstance(outcome, Completed):
        finish_upload(uow, job_id, True, counts=counts, result=result)
    return counts, result


def error_links(job_id: int) -> dict:
    """Where a job's errors are paged (JSON) and downloaded (a workbook), under /api/v1/members."""
    return {"errors_path": f"/uploads/{job_id}/errors", "errors_download_path": f"/uploads/{job_id}/errors.xlsx"}


def rows_rejected(errors, counts=None, typed: bool = False) -> RowsRejected:
    """The refusal of a file with error rows: every one, in row order (and the counts, for a sync).
    A formula cell is named as such, and no other error is reported on that cell (its value was
    emptied, which would only add a confusing "required")."""
    formulas = {(e.row, e.column) for e in errors if e.message == excel.FORMULA_MESSAGE}
    if formulas:
        errors = [e for e in errors if e.message == excel.FORMULA_MESSAGE or (e.row, e.column) not in formulas]
    ordered = sorted(errors, key=lambda e: e.row)
    return RowsRejected(rows=[e.as_dict(typed) for e in ordered], counts=counts)
