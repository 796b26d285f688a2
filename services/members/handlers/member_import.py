"""批量导入会员: a union adds new members and updates its existing ones from a workbook, all or
nothing, as an upload job (`process(uow, who, data, job_id)` → (counts, notice)).

Seams: `id_lookups.count_lookups_now` (its errors say who is registered elsewhere),
`roster.apply_fields` (an existing member's row is an edit), `uploads.report_progress` and
`uploads.rows_rejected` (the upload job's steps) and `shared` (events, a lost unique race)."""

from __future__ import annotations

from datetime import date, datetime

from common import clock, excel
from common.db import UoW
from common.identity import Identity
from services.members import contracts
from services.members.adapters import excel as xl
from services.members.adapters import queries
from services.members.adapters.new_members import insert_new_members, new_member
from services.members.domain import idcard
from services.members.domain.member import EDITABLE as MEMBER_EDITABLE
from services.members.domain.member import ID_TYPES, LABELS, check_member
from services.members.domain.roster_sync import RowError
from services.members.handlers.id_lookups import count_lookups_now
from services.members.handlers.roster import apply_fields
from services.members.handlers.shared import commit_or_conflict, publish_members
from services.members.handlers.uploads import report_progress, rows_rejected


def import_members(uow: UoW, who: Identity, data: bytes, job_id: int):
    """批量导入会员: add new members and update this union's existing ones, all or nothing. Every
    error of the file in one answer: each row's field errors, duplicates inside the file and
    conflicts with the system, for every row whose ID number could be read."""
    who.require("grassroots")
    rows = xl.rows_of(data, "import")
    report_progress(uow, job_id, 0, len(rows), "正在校验")
    today = clock.today()
    cleaned, checked, errors, seen = [], [], list(rows.formula_errors), {}
    for row_no, cells in rows:
        raw = dict(zip(xl.IMPORT_FIELDS, cells, strict=False))
        values = {k: xl.text(v) for k, v in raw.items()}
        if isinstance(raw["birth_date"], (date, datetime)):
            values["birth_date"] = raw["birth_date"]
        clean, errs = check_member(values, today)
        if excel.is_number_cell(raw["id_number"]):
            errs["id_number"] = [idcard.TEXT_FORMAT_HINT]
        shown_id = values["id_number"] if "id_number" in errs else clean["id_number"]
        for field, messages in errs.items():
            errors.extend(
                RowError(
                    row_no, LABELS[field], m, clean["name"] or values["name"], shown_id, value=xl.text(values[field])
                )
                for m in messages
            )
        if "id_number" in errs:
            continue
        if clean["id_number"] in seen:
            errors.append(
                RowError(
                    row_no,
                    "证件号码",
                    f"证件号码与第 {seen[clean['id_number']]} 行重复",
                    clean["name"],
                    clean["id_number"],
                )
            )
            continue
        seen[clean["id_number"]] = row_no
        checked.append((row_no, clean))  # compared with the system even if another field is wrong
        if not errs:
            cleaned.append((row_no, clean))
    count_lookups_now(uow, who, len(rows))  # its errors say who is registered elsewhere (or 429, nothing done)
    with uow.fresh() as work:
        existing = queries.members_with_ids(work.session, seen)
        for row_no, clean in checked:
            member = existing.get(clean["id_number"])
            if member is not None and member.union_id != who.union_id:
                message = (
                    "该人员已在其他工会登记，请使用“从其他工会转入会员到本工会”办理转入"
                    if member.union_id
                    else "该人员已在系统中登记（目前无所属工会），请使用“从其他工会转入会员到本工会”转入"
                )
                errors.append(RowError(row_no, "证件号码", message, clean["name"], clean["id_number"]))
            elif member is not None and clean["id_type"] != member.id_type:
                errors.append(
                    RowError(
                        row_no,
                        "有效证件类型",
                        "证件类型与系统登记的不一致（系统中为“" + ID_TYPES[member.id_type] + "”）",
                        clean["name"],
                        clean["id_number"],
                        value=ID_TYPES[clean["id_type"]],
                    )
                )
        if errors:
            raise rows_rejected(errors, typed=True)
        now = clock.utcnow_naive()
        district = queries.district_of(work.session, who.union_id)
        added, updated = [], []
        for _, clean in cleaned:
            member = existing.get(clean["id_number"])
            if member is None:
                added.append(new_member(clean, who.union_id, now))
            elif member.status == "rejected" or any(getattr(member, k) != clean[k] for k in MEMBER_EDITABLE):
                apply_fields(member, clean)  # a rejected member's row resubmits it, changed or not
                updated.append(member)
        insert_new_members(work.session, added)
        publish_members(
            work,
            [(contracts.MEMBER_REGISTERED, m) for m in added] + [(contracts.MEMBER_UPDATED, m) for m in updated],
            {who.union_id: district},
        )
        commit_or_conflict(work, "MEMBER_EXISTS", "导入期间该证件号码已被登记，请重新导入")
    return {"rows": len(rows), "added": len(added), "updated": len(updated)}, xl.notice_of(rows)
