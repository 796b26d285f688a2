"""Upload jobs on the worker (issue 17 item 5): an accepted upload is a work message
(`members.upload.accepted`) on members' work queue; the worker that takes it runs the job from
its stored file. At least once: a worker killed mid-job leaves the message unacknowledged, the
broker gives it to another (or the restarted one), and the job runs again from the start —
nothing of the first attempt was applied, since a job applies and records its outcome in one
transaction. Once: a job that has ended is never run again (its state says so), whatever the
inbox holds. The union's lock is the job's running row: it ends when the job ends, when its
attempts run out, or when its heartbeat stops for STALE_AFTER (a lost message, embedded mode).

Seams: `uploads.complete_upload`, `uploads.finish_upload` and `HEARTBEAT_EVERY` (a job's outcome
and its beat), and `sync.run_sync` / `union_import.run_union_import` (the work a message names, imported when
one arrives)."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from sqlalchemy import update

from common import clock
from common.db import UoW
from common.facts import consumes
from services.members.adapters import upload_store
from services.members.adapters.orm import UploadJob
from services.members.domain.facts import parse_upload_accepted
from services.members.handlers.uploads import HEARTBEAT_EVERY, complete_upload, finish_upload

log = logging.getLogger("members")

MAX_ATTEMPTS = 3
GAVE_UP = "处理多次中断，未做任何修改，请重新上传"
UNREADABLE = "上传的文件无法读取（加密密钥不一致），未做任何修改，请联系管理员后重新上传"


@consumes
def run_upload_when_accepted(uow: UoW, event: dict) -> None:
    """Run the job the message names, unless it has ended already. A message that breaks its
    contract is dead-lettered (no redelivery could run it)."""
    accepted = parse_upload_accepted(event["data"])
    job_id = accepted.job_id
    with uow.fresh() as step:
        job = step.session.get(UploadJob, job_id, with_for_update=True)
        if job is None or job.state != "running":
            return  # ended already: a redelivery after the job finished does nothing
        job.attempts += 1
        job.heartbeat_at = clock.real_utcnow_naive()
        if job.attempts > MAX_ATTEMPTS:
            complete_upload(step, job_id, False, message=GAVE_UP)
            step.commit()
            return
        sealed = upload_store.load_sealed_file(step.session, job_id)
        step.commit()
    try:
        file, sealed = upload_store.open_file(sealed), None  # not both copies held through the job
    except upload_store.FileUnreadable as exc:
        # no redelivery would open it (a key missing from this worker's keys): the job ends,
        # the union's lock with it, rather than the message going round until it dead-letters
        log.error("upload file cannot be opened", extra={"job_id": job_id, "error": str(exc)})
        finish_upload(uow, job_id, False, message=UNREADABLE)
        return
    log.info("upload job started", extra={"job_id": job_id, "kind": accepted.kind, "attempt": job.attempts})
    with heartbeat(uow, job_id):
        if accepted.kind == "sync":
            from services.members.handlers.sync import run_sync

            run_sync(uow, accepted.who, file, job_id, accepted.dry_run)
        elif accepted.kind == "unions":
            from services.members.handlers.union_import import run_union_import

            run_union_import(uow, accepted.who, file, job_id)


@contextmanager
def heartbeat(uow: UoW, job_id: int):
    """Beat the job's heartbeat while its work runs (a long statement included), so that a live
    job is never taken for a dead one, and a dead one is known within STALE_AFTER."""
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_EVERY.total_seconds()):
            try:
                with uow.fresh() as step:
                    step.session.execute(
                        update(UploadJob)
                        .where(UploadJob.id == job_id, UploadJob.state == "running")
                        .values(heartbeat_at=clock.real_utcnow_naive())
                    )
                    step.commit()
            except Exception:
                log.debug("heartbeat missed", exc_info=True)

    thread = threading.Thread(target=beat, name=f"upload-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
