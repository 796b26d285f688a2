"""The transfer lists (名单): 从其他工会转入会员到本工会 — people with no union join at once, people
in another union become requests for it to decide — and 批量转出会员 from a list with reasons. Each
all or nothing, as an upload job (`process(uow, who, data, job_id)` → (counts, notice)).

Seams: the steps of transfers (`transfers.move_unattached`, `transfers.publish_requested`,
`transfers.let_go`: what a move does is said once), `id_lookups.count_lookups_now` (a transfer-in
list asks the register about every row) and `uploads.report_progress`, `uploads.rows_rejected`
(the upload job's steps)."""

from __future__ import annotations

from common import clock
from common.db import UoW
from common.identity import Identity
from services.members.adapters import excel as xl
from services.members.adapters import queries
from services.members.adapters.roster_sql import RosterComparison
from services.members.domain import vocabulary as words
from services.members.domain.roster_sync import NAME_MISMATCH, TRANSFER_IN_ERRORS, RowError
from services.members.handlers.id_lookups import count_lookups_now
from services.members.handlers.transfers import let_go, move_unattached, publish_requested
from services.members.handlers.uploads import report_progress, rows_rejected


def transfer_in_from_list(uow: UoW, who: Identity, data: bytes, job_id: int):
    """从其他工会转入会员到本工会: people with no union move at once; people in another union
    become requests for their union to approve. All or nothing."""
    who.require("grassroots")
    rows, people, errors = xl.people_of(data, "transfer_in", clock.today())
    count_lookups_now(uow, who, len(rows))  # before the comparison answers anything (or 429, nothing done)
    report_progress(uow, job_id, 0, len(rows), "正在比对")
    with uow.fresh() as work:
        with RosterComparison(work.session, who.union_id, people) as found:
            errors.extend(found.errors(TRANSFER_IN_ERRORS))  # the rule: domain.roster_sync.classify_transfer_in
            if errors:
                raise rows_rejected(errors, typed=True)
            moved = move_unattached(work, who, found, None, synced=False)
            requested_at = clock.utcnow_naive()
            requested = found.request_transfers(None, who.user, requested_at)
            publish_requested(work, who.union_id, who.user, requested_at)
        work.commit()
    return {"rows": len(rows), "moved": moved, "requested": requested}, xl.notice_of(rows)


def transfer_out_from_list(uow: UoW, who: Identity, data: bytes, job_id: int):
    """批量转出会员 from a list (姓名, 证件号码, 转出原因)."""
    who.require("grassroots")
    rows, people, errors = xl.people_of(data, "transfer_out", clock.today())
    reasons_by_row = {n: cells[2] for n, cells in rows}
    with uow.fresh() as work:
        members = queries.members_with_ids(work.session, [p.id_number for p in people], who.union_id)
        reasons = {}
        for person in people:
            try:
                reason = words.normalise(words.TRANSFER_OUT_REASON, reasons_by_row[person.row])
                if reason is None:
                    errors.append(
                        RowError(
                            person.row,
                            "转出原因",
                            "此项必填（可填：" + words.TRANSFER_OUT_REASON.accepted() + "）",
                            person.name,
                            person.id_number,
                        )
                    )
            except words.UnknownWord as exc:
                reason = None
                errors.append(
                    RowError(
                        person.row,
                        "转出原因",
                        str(exc),
                        person.name,
                        person.id_number,
                        value=xl.text(reasons_by_row[person.row]),
                    )
                )
            member = members.get(person.id_number)
            if member is None:
                errors.append(
                    RowError(person.row, "证件号码", "本单位没有该证件号码的会员", person.name, person.id_number)
                )
            elif member.name != person.name:
                errors.append(RowError(person.row, "姓名", NAME_MISMATCH, person.name, person.id_number))
            else:
                reasons[member.id] = reason
        if errors:
            raise rows_rejected(errors, typed=True)
        chosen = [members[p.id_number] for p in people]
        let_go(work, who, chosen, reasons)
        work.commit()
    return {"rows": len(rows), "transferred_out": len(chosen)}, xl.notice_of(rows)
