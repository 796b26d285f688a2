"""What a sync run found, read back: a page of its C people (in another union: asked for) or D
people (in this union, not in the file: marked 未同步) — a dry run's as a real run's — and its
result workbook (导出结果, built by adapters/sync_result_excel.py).

Seams: `upload_history.get_upload` (the run is an upload job the caller may read)."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.errors import NotFound
from common.identity import Identity
from services.members.adapters import queries, sync_result_excel, upload_store
from services.members.adapters.orm import GrassrootsUnion
from services.members.handlers.upload_history import get_upload

PEOPLE_CATEGORIES = ("C", "D")


def sync_people(uow: UoW, who: Identity, job_id: int, category: str, page: int = 1, per_page: int = 50) -> dict:
    """A page of a sync run's C (in another union) or D (in this union, not in the file) people —
    a dry run's (who would be asked for, who would be marked 未同步) as a real run's."""
    job = get_upload(uow, who, job_id)
    if job.kind != "sync" or category not in PEOPLE_CATEGORIES:
        raise NotFound()
    total, rows = queries.run_people_page(uow.session, job.id, category, page, per_page)
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


def sync_result_workbook(uow: UoW, who: Identity, job_id: int) -> tuple[str, bytes]:
    """导出结果 of a sync run: 姓名, 证件号码, 原所属单位, 原单位负责人, 原单位联系电话,
    原单位所属区局, 审核状态, 审核说明 (the approval state as it is now)."""
    job = get_upload(uow, who, job_id)
    if job.kind != "sync":
        raise NotFound()
    session = uow.session
    rows = []
    if job.state == "succeeded" and job.dry_run:
        rows = sync_result_excel.dry_run_rows(
            queries.run_people(session, job.id, "C"), queries.run_people(session, job.id, "D")
        )
    if job.state == "succeeded" and not job.dry_run:
        requests = queries.run_transfer_requests(session, job.id)
        own = session.get(GrassrootsUnion, job.union_id)
        rows = sync_result_excel.applied_rows(requests, queries.run_moved_and_unsynced(session, job.id), own)
    stamp = clock.file_stamp(job.created_at)  # Shanghai time, as the screens show it
    errors = upload_store.all_errors(session, job.id) if job.error_count else []
    return f"同步结果_{stamp}.xlsx", sync_result_excel.workbook(rows, errors, job.counts)
