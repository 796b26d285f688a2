"""Uploads read back: the history of them (历史导入记录), one job with the first page of its
errors, every error paged or as a workbook, and the kinds of upload there are. Who reads a job's
cells as typed is who uploaded it (`own_upload`); a district or the centre reads them masked.

Seams: `uploads.upload_lock_key` and `uploads.FIRST_ERRORS` (whose lock a job took, how many
errors a job's answer carries). It offers `get_upload` (a job in the caller's scope: sync_results)."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.errors import NotFound
from common.identity import Identity
from services.members.adapters import excel as xl
from services.members.adapters import queries, upload_store
from services.members.adapters.orm import UploadJob
from services.members.domain.roster_sync import CATEGORIES, CATEGORY_NAMES, CATEGORY_SHORT_NAMES
from services.members.domain.scope import member_in_scope
from services.members.domain.uploads import COUNT_LABELS, KINDS
from services.members.handlers.uploads import FIRST_ERRORS, upload_lock_key


def upload_errors(uow: UoW, who: Identity, job_id: int, page: int = 1, per_page: int = FIRST_ERRORS) -> dict:
    """A page of a job's errors, in row order."""
    job = get_upload(uow, who, job_id)
    per_page = max(1, min(per_page, FIRST_ERRORS))
    return {
        "total": job.error_count,
        "page": page,
        "per_page": per_page,
        "items": upload_store.error_page(
            uow.session, job.id, (page - 1) * per_page, per_page, typed=own_upload(who, job)
        ),
    }


def errors_workbook(uow: UoW, who: Identity, job_id: int) -> tuple[str, bytes]:
    """Every error of a refused upload as a workbook (错误信息), however many."""
    job = get_upload(uow, who, job_id)
    stamp = clock.file_stamp(job.created_at)  # Shanghai time, as the screens show it
    return f"错误信息_{stamp}.xlsx", xl.errors_workbook(
        upload_store.all_errors(uow.session, job.id, typed=own_upload(who, job))
    )


def own_upload(who: Identity, job: UploadJob) -> bool:
    """Whether `who` uploaded the job's file: only they read its cells as typed (their own file);
    a district or the centre reading a union's upload sees ID numbers masked (issue 23 item 3)."""
    return job.lock_key == upload_lock_key(who)


def first_errors(uow: UoW, who: Identity, job: UploadJob) -> list[dict]:
    """The first page of a job's errors, for its answer (none are read for a job without any)."""
    if job.error_count:
        return upload_store.error_page(uow.session, job.id, 0, FIRST_ERRORS, typed=own_upload(who, job))
    return (job.errors or [])[:FIRST_ERRORS]  # a job from before the errors had their own table


def get_upload(uow: UoW, who: Identity, job_id: int) -> UploadJob:
    """A job the caller may read: its own upload, or one of a union in its scope."""
    session = uow.session
    job = session.get(UploadJob, job_id)
    if job is None or (
        job.lock_key != upload_lock_key(who)
        and not (
            job.union_id is not None and member_in_scope(who, job.union_id, queries.district_of(session, job.union_id))
        )
    ):
        raise NotFound()
    return job


def list_uploads(
    uow: UoW, who: Identity, kind: str | None = None, union_id: int | None = None, page: int = 1, per_page: int = 50
):
    """历史导入记录: a union's uploads (centre: any union's; district: its unions'): what each
    was and how it ended, never its rows (errors and samples stay with the job)."""
    return queries.upload_page(uow.session, who, upload_lock_key(who), kind, union_id, page, per_page)


def upload_kinds(uow: UoW, who: Identity) -> dict:
    """Every kind of upload (domain.uploads.KINDS) with the roles that may make it, where it goes
    and its template; and the sync categories A–E with their names. What the upload page offers
    (the caller's kinds) and how it names a job or a count."""
    kinds = [
        {
            "kind": k.kind,
            "dry_run": k.dry_run,
            "title": k.title,
            "hint": k.hint,
            "roles": list(k.roles),
            "upload_path": k.path,
            "template_path": f"/templates/{k.kind}.xlsx",
            "template_title": xl.TEMPLATES[k.kind][0],
        }
        for k in KINDS
    ]
    categories = [{"code": c, "name": CATEGORY_NAMES[c], "short_name": CATEGORY_SHORT_NAMES[c]} for c in CATEGORIES]
    counts = [{"key": key, "label": label} for key, label in COUNT_LABELS.items()]
    return {"kinds": kinds, "categories": categories, "counts": counts}
