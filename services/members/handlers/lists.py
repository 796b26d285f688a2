"""The list-driven uploads (名单导入), each all or nothing: 批量导入会员, 从其他工会转入 and 批量转出
from a list, the bank's list of 会员服务卡, the population office's 剔除 list. Each runs as an upload
job (handlers.uploads): `process(uow, who, data, job_id)` → (counts, result)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from common import clock, excel
from common.identity import Identity
from services.members import contracts
from services.members.adapters import excel as xl
from services.members.adapters.new_members import insert_new_members
from services.members.adapters.orm import Member, by_id_number, id_numbers_in
from services.members.adapters.roster_sql import RosterComparison
from services.members.domain import idcard
from services.members.domain import vocabulary as words
from services.members.domain.member import EDITABLE as MEMBER_EDITABLE
from services.members.domain.member import ID_TYPES, LABELS, check_member, parse_date
from services.members.domain.roster_sync import (
    NAME_MISMATCH,
    NOT_FOUND,
    TRANSFER_IN_ERRORS,
    RowError,
    normalise_any_id,
    person_rows,
)
from services.members.handlers.cards import check_card, set_card
from services.members.handlers.id_lookups import count_lookups_now
from services.members.handlers.roster import apply_fields, mark_removed
from services.members.handlers.shared import (
    commit_or_conflict,
    district_of,
    districts_of,
    member_in_scope,
    publish_members,
)
from services.members.handlers.transfers import let_go, move_unattached, publish_requested
from services.members.handlers.uploads import report_progress, rows_rejected


def import_members(uow, who: Identity, data: bytes, job_id: int):
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
        existing = _members_with_ids(work.session, seen) if seen else {}
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
        district = district_of(work.session, who.union_id)
        added, updated = [], []
        for _, clean in cleaned:
            member = existing.get(clean["id_number"])
            if member is None:
                added.append(
                    Member(
                        **clean,
                        union_id=who.union_id,
                        status="pending",
                        synced=False,
                        removed=False,
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                )
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


def _members_with_ids(session, numbers, *where) -> dict:
    """{ID number: member} of the members with these numbers (found by their blind index), locked."""
    condition, by_index = id_numbers_in(numbers)
    return by_id_number(session.scalars(select(Member).where(condition, *where).with_for_update()), by_index)


def people_of(data: bytes, kind: str, max_rows: int = xl.MAX_ROWS):
    """A list naming people (姓名, 证件号码 …): its rows, the clean people, and the row errors."""
    rows = xl.rows_of(data, kind, max_rows)
    people, errors = person_rows(xl.person_cells(rows), clock.today())
    return rows, people, rows.formula_errors + errors


def transfer_in_from_list(uow, who: Identity, data: bytes, job_id: int):
    """从其他工会转入会员到本工会: people with no union move at once; people in another union
    become requests for their union to approve. All or nothing."""
    who.require("grassroots")
    rows, people, errors = people_of(data, "transfer_in")
    count_lookups_now(uow, who, len(rows))  # before the comparison answers anything (or 429, nothing done)
    report_progress(uow, job_id, 0, len(rows), "正在比对")
    with uow.fresh() as work:
        with RosterComparison(work.session, who.union_id, people) as found:
            errors.extend(found.errors(TRANSFER_IN_ERRORS))
            if errors:
                raise rows_rejected(errors, typed=True)
            moved = move_unattached(work, who, found, None, synced=False)
            requested_at = clock.utcnow_naive()
            requested = found.request_transfers(None, who.user, requested_at)
            publish_requested(work, who.union_id, who.user, requested_at)
        work.commit()
    return {"rows": len(rows), "moved": moved, "requested": requested}, xl.notice_of(rows)


def transfer_out_from_list(uow, who: Identity, data: bytes, job_id: int):
    """批量转出会员 from a list (姓名, 证件号码, 转出原因)."""
    who.require("grassroots")
    rows, people, errors = people_of(data, "transfer_out")
    reasons_by_row = {n: cells[2] for n, cells in rows}
    with uow.fresh() as work:
        members = _members_with_ids(work.session, [p.id_number for p in people], Member.union_id == who.union_id)
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


CARD_COLUMNS = ("证件号码", "卡号", "办卡日期")


def _card_rows(rows, today: date):
    """The bank's rows checked one by one: (wanted [(row, id number, card, issued on)], errors)."""
    errors, wanted, seen_ids, seen_cards = [], [], {}, {}
    for row_no, cells in rows:
        raw_id, raw_card, raw_date = cells[:3]
        shown = xl.text(raw_id)
        problems = []
        number = None
        if excel.is_number_cell(raw_id):
            problems.append(("证件号码", idcard.TEXT_FORMAT_HINT))
        else:
            try:
                number = normalise_any_id(raw_id, today)
            except idcard.IdNumberInvalid as exc:
                problems.append(("证件号码", str(exc)))
        if excel.is_number_cell(raw_card):
            problems.append(("卡号", "卡号被当作数字保存，位数可能已丢失；请将该列设置为“文本”格式后重新填写"))
            card = ""
        else:
            card = idcard.clean(xl.text(raw_card))
        try:
            issued_on = parse_date(raw_date)
        except ValueError as exc:
            issued_on = None
            problems.append(("办卡日期", str(exc)))
        if not problems:
            card, card_problems = check_card(card, issued_on)
            labels = {"card_number": "卡号", "issued_on": "办卡日期"}
            problems.extend((labels[k], m) for k, m in card_problems)
        if not problems and number in seen_ids:
            problems.append(("证件号码", f"证件号码与第 {seen_ids[number]} 行重复"))
        if not problems and card in seen_cards:
            problems.append(("卡号", f"卡号与第 {seen_cards[card]} 行重复"))
        errors.extend(
            RowError(row_no, col, msg, "", shown, value=xl.text(cells[CARD_COLUMNS.index(col)]))
            for col, msg in problems
        )
        if not problems:
            seen_ids[number], seen_cards[card] = row_no, row_no
            wanted.append((row_no, number, card, issued_on))
    return wanted, errors


def cards_from_list(uow, who: Identity, data: bytes, job_id: int):
    """会员服务卡 from the bank's list (证件号码, 卡号, 办卡日期): grassroots for its own members,
    the centre for anyone."""
    who.require("grassroots", "centre")
    rows = xl.rows_of(data, "cards")
    count_lookups_now(uow, who, len(rows))  # 该卡号已登记给其他会员 tells whose card is registered
    wanted, errors = _card_rows(rows, clock.today())
    errors = rows.formula_errors + errors
    with uow.fresh() as work:
        ids = [w[1] for w in wanted]
        members = _members_with_ids(work.session, ids) if ids else {}
        holders = (
            dict(
                work.session.execute(
                    select(Member.card_number, Member.id).where(Member.card_number.in_([w[2] for w in wanted]))
                ).all()
            )
            if wanted
            else {}
        )
        districts = districts_of(work.session, [m.union_id for m in members.values()])
        for row_no, number, card, _ in wanted:
            member = members.get(number)
            if member is None or not member_in_scope(who, member.union_id, districts.get(member.union_id)):
                errors.append(RowError(row_no, "证件号码", "未查到该会员信息,请确认该证件号码已录入到系统", "", number))
            elif member.status == "left":
                errors.append(RowError(row_no, "证件号码", "该会员已转出，不能办卡", member.name, number))
            elif holders.get(card, member.id) != member.id:
                errors.append(RowError(row_no, "卡号", "该卡号已登记给其他会员", member.name, number))
        if errors:
            raise rows_rejected(errors, typed=True)
        for _, number, card, issued_on in wanted:
            set_card(members[number], card, issued_on)
        publish_members(work, [(contracts.MEMBER_CARD_ISSUED, members[w[1]]) for w in wanted], districts)
        commit_or_conflict(work, "CARD_TAKEN", "导入期间卡号已被登记，请重新导入")
    return {"rows": len(rows), "cards": len(wanted)}, xl.notice_of(rows)


def removals_from_list(uow, who: Identity, data: bytes, job_id: int):
    """人口办剔除 from a list (姓名, 证件号码), by the centre."""
    who.require("centre")
    rows, people, errors = people_of(data, "removals")
    with uow.fresh() as work:
        members = _members_with_ids(work.session, [p.id_number for p in people])
        for person in people:
            member = members.get(person.id_number)
            if member is None:
                errors.append(RowError(person.row, "证件号码", NOT_FOUND, person.name, person.id_number))
            elif member.name != person.name:
                errors.append(RowError(person.row, "姓名", NAME_MISMATCH, person.name, person.id_number))
        if errors:
            raise rows_rejected(errors, typed=True)
        chosen = [members[p.id_number] for p in people]
        mark_removed(work, chosen, True)
        work.commit()
    return {"rows": len(rows), "removed": len(chosen)}, xl.notice_of(rows)
