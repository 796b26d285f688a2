"""Uploads as jobs (上传任务): one at a time per union, their progress, their outcome, and the
history of them (历史导入记录); the kinds of upload there are.

A job's own steps — its progress, its work, its outcome — each commit in a unit of work of their
own, made with `uow.fresh()`: they may run in the job's thread after the caller's unit of work
has ended, and progress is reported between transactions (never while one holds SQLite's write
lock). Starting a job and reading one use the caller's unit of work."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from common import clock, excel
from common.errors import AppError, Conflict, NotFound
from common.identity import Identity
from services.members import contracts
from services.members.adapters import excel as xl
from services.members.adapters.excel import RowsRejected
from services.members.adapters.orm import GrassrootsUnion, UploadJob
from services.members.domain.roster_sync import CATEGORIES, CATEGORY_NAMES, CATEGORY_SHORT_NAMES
from services.members.domain.uploads import KINDS
from services.members.handlers.shared import district_of, member_in_scope

STALE_AFTER = timedelta(minutes=15)
UPLOAD_BUSY = "本单位上一次上传还在处理中，请等待其完成后再上传（新的上传不会排队）"


def _real_utc() -> datetime:
    """Heartbeats use the real time, not the business clock (which tests and demos move)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def upload_lock_key(who: Identity) -> str:
    return f"union:{who.union_id}" if who.role == "grassroots" else f"{who.role}:{who.district_id or 0}"


def start_upload(uow, who: Identity, kind: str, filename: str = "", dry_run: bool = False) -> int:
    """Record a running upload; refuse (409) if this union already has one running. The partial
    unique index on running jobs makes this hold across processes and replicas."""
    key = upload_lock_key(who)
    real = _real_utc()
    uow.session.execute(update(UploadJob).where(
        UploadJob.lock_key == key, UploadJob.state == "running", UploadJob.heartbeat_at < real - STALE_AFTER)
        .values(state="failed", message="处理中断（超时），请重新上传", finished_at=clock.utcnow_naive()))
    job = UploadJob(lock_key=key, union_id=who.union_id if who.role == "grassroots" else None, kind=kind,
                    dry_run=dry_run, state="running", filename=(filename or "")[:200], total=0, done=0,
                    created_by=who.user, created_at=clock.utcnow_naive(), heartbeat_at=real)
    uow.session.add(job)
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict(UPLOAD_BUSY, code="UPLOAD_IN_PROGRESS") from None
    return job.id


def report_progress(uow, job_id: int, done: int, total: int, message: str) -> None:
    with uow.fresh() as step:
        step.session.execute(update(UploadJob).where(UploadJob.id == job_id).values(
            done=done, total=total, message=message, heartbeat_at=_real_utc()))
        step.commit()


def finish_upload(uow, job_id: int, ok: bool, counts=None, errors=None, result=None, message=None) -> None:
    with uow.fresh() as step:
        job = step.session.get(UploadJob, job_id)
        job.state = "succeeded" if ok else "failed"
        job.counts, job.errors, job.result = counts, errors, result
        job.message = (message or ("处理完成" if ok else "处理失败"))[:500]
        job.done = job.total if ok else job.done
        job.finished_at = clock.utcnow_naive()
        if job.kind == "sync" and not job.dry_run and job.union_id is not None and not ok:
            step.publish(contracts.ROSTER_SYNCED, {"union_id": job.union_id, "run_id": job.id, "applied": False,
                                                   "counts": counts or {}})
        step.commit()


def run_upload(uow, who: Identity, kind: str, filename: str, process, dry_run: bool = False):
    """Run `process(job_id)` under the union's upload lock; record the outcome in the job."""
    job_id = start_upload(uow, who, kind, filename, dry_run)
    return job_id, run_job(uow, job_id, process)


def run_job(uow, job_id: int, process):
    """Run a started job's work and record how it ended (its counts, or why it failed)."""
    try:
        counts, result = process(job_id)
    except RowsRejected as exc:
        finish_upload(uow, job_id, False, counts=exc.extra.get("counts"), errors=exc.extra.get("rows"),
                      message=exc.message)
        raise
    except AppError as exc:
        finish_upload(uow, job_id, False, message=exc.message)
        raise
    except Exception:
        finish_upload(uow, job_id, False, message="系统内部错误，请稍后重试")
        raise
    finish_upload(uow, job_id, True, counts=counts, result=result)
    return counts, result


def rows_rejected(errors, counts=None) -> RowsRejected:
    """The refusal of a file with error rows: every one, in row order (and the counts, for a sync).
    A formula cell is named as such, and no other error is reported on that cell (its value was
    emptied, which would only add a confusing "required")."""
    formulas = {(e.row, e.column) for e in errors if e.message == excel.FORMULA_MESSAGE}
    if formulas:
        errors = [e for e in errors if e.message == excel.FORMULA_MESSAGE or (e.row, e.column) not in formulas]
    ordered = sorted(errors, key=lambda e: e.row)
    return RowsRejected(rows=[e.as_dict() for e in ordered], counts=counts)


def get_upload(uow, who: Identity, job_id: int) -> UploadJob:
    session = uow.session
    job = session.get(UploadJob, job_id)
    if job is None or job.lock_key != upload_lock_key(who) and not (
            job.union_id is not None and member_in_scope(who, job.union_id, district_of(session, job.union_id))):
        raise NotFound()
    return job


def list_uploads(uow, who: Identity, kind: str | None = None, union_id: int | None = None,
                 page: int = 1, per_page: int = 50):
    """历史导入记录: a union's uploads (centre: any union's; district: its unions')."""
    query = select(UploadJob)
    if who.role == "grassroots":
        query = query.where(UploadJob.union_id == who.union_id)
    elif who.role == "district":
        query = query.where(or_(UploadJob.lock_key == upload_lock_key(who), UploadJob.union_id.in_(
            select(GrassrootsUnion.id).where(GrassrootsUnion.district_id == who.district_id))))
    if union_id is not None:
        query = query.where(UploadJob.union_id == union_id)
    if kind:
        query = query.where(UploadJob.kind == kind)
    session = uow.session
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(session.scalars(query.order_by(UploadJob.id.desc()).offset((page - 1) * per_page).limit(per_page)))
    return total, items


def upload_kinds(uow, who: Identity) -> dict:
    """Every kind of upload (domain.uploads.KINDS) with the roles that may make it, where it goes
    and its template; and the sync categories A–E with their names. What the upload page offers
    (the caller's kinds) and how it names a job or a count."""
    kinds = [{"kind": k.kind, "dry_run": k.dry_run, "title": k.title, "hint": k.hint, "roles": list(k.roles),
              "upload_path": k.path, "template_path": f"/templates/{k.kind}.xlsx",
              "template_title": xl.TEMPLATES[k.kind][0]} for k in KINDS]
    categories = [{"code": c, "name": CATEGORY_NAMES[c], "short_name": CATEGORY_SHORT_NAMES[c]} for c in CATEGORIES]
    return {"kinds": kinds, "categories": categories}
