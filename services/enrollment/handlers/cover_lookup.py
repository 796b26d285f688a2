"""职工保障查询: a person's cover history by resident ID number (or member number), in the
caller's scope, every lookup audited (cover_lookup). Scope: a grassroots union sees the whole
history of its current members and, for anyone else, the years it enrolled them; a district
likewise for its unions; the centre everything. Out of scope answers exactly like unknown.

Numbers are compared by their blind index (adapters/id_numbers.py), never in clear: each number
asked is indexed under every index key and looked up with `IN`, so a lookup keeps finding people
while rotate-keys re-indexes. Answers show the number masked; the bulk result workbook echoes the
numbers of the clerk's own file (see bulk_workbook)."""
from __future__ import annotations

from sqlalchemy import insert, select

from common import clock
from common.errors import NotFound, TooLarge, ValidationFailed
from common.excel import Column, SheetSpec, cell_text, read_upload, write_workbook
from common.identity import Identity
from common.pii import mask_id
from common.resident_id import IdNumberInvalid, parse_resident_id
from services.enrollment.adapters import id_numbers
from services.enrollment.adapters.orm import (Batch, Cover, CoverLookup, CoverYearRow, MemberView, Submission,
                                              UnionView)
from services.enrollment.domain.cover_state import (BULK_LIMIT, MODE_NAMES, NOT_FOUND_MESSAGE, cover_state,
                                                    payment_state)

TYPE_NAMES = {"A": "A类", "A+": "A+类", "B": "B类", "B+": "B+类"}


def _rows(session, indexes: list[str]):
    return session.execute(
        select(Cover.id_index, Cover.name, Cover.cover_year, Cover.cover_start, Cover.cover_end, Cover.status,
               Cover.union_id, Submission.type, Submission.mode, Submission.status.label("sub_status"),
               Submission.district_id, Batch.status.label("batch_status"), Batch.batch_no, UnionView.name.label("union"),
               CoverYearRow.claims_deadline)
        .join(Submission, Submission.id == Cover.submission_id)
        .outerjoin(Batch, Batch.id == Submission.batch_id)
        .outerjoin(UnionView, UnionView.union_id == Cover.union_id)
        .outerjoin(CoverYearRow, CoverYearRow.cover_year == Cover.cover_year)
        .where(Cover.id_index.in_(indexes))
        # newest first for each person; one person's rows may carry two index keys while they rotate
        .order_by(Cover.cover_year.desc(), Cover.cover_start.desc(), Cover.id)).all()


def _members_in_scope(session, who: Identity, people: dict[str, str]) -> set[str]:
    """The asked people ({index: number}) who are now members of the caller's union (or its
    district's unions), as their numbers."""
    if who.is_centre:
        return set(people.values())
    column = MemberView.union_id if who.role == "grassroots" else MemberView.district_id
    mine = who.union_id if who.role == "grassroots" else who.district_id
    return {people[index] for index in session.scalars(select(MemberView.id_index).where(
        MemberView.id_index.in_(list(people)), column == mine, MemberView.status.in_(("normal", "pending"))))}


def _visible(who: Identity, row, current_member: bool) -> bool:
    if who.is_centre or current_member:
        return True
    if who.role == "grassroots":
        return row.union_id == who.union_id
    return row.district_id == who.district_id


def histories(session, who: Identity, numbers: list[str]) -> dict[str, dict]:
    """{id_number: {name, covers: [...]}} for the people with any cover the caller may see."""
    out: dict[str, dict] = {}
    today = clock.today()
    for start in range(0, len(numbers), 1000):
        people = id_numbers.by_index(numbers[start:start + 1000])
        current = _members_in_scope(session, who, people)
        for row in _rows(session, list(people)):
            number = people[row.id_index]
            paid = payment_state(row.status, row.sub_status, row.batch_status)
            if paid is None or not _visible(who, row, number in current):
                continue
            person = out.setdefault(number, {"name": row.name, "covers": []})
            person["covers"].append({
                "cover_year": row.cover_year, "type": row.type, "type_name": TYPE_NAMES.get(row.type, row.type),
                "cover_start": row.cover_start, "cover_end": row.cover_end, "mode": row.mode,
                "mode_name": MODE_NAMES.get(row.mode, row.mode), "union_id": row.union_id, "union_name": row.union,
                "batch_no": row.batch_no, "claims_deadline": row.claims_deadline,
                "state": cover_state(row.cover_start, row.cover_end, row.status, row.sub_status, row.batch_status,
                                     today),
                "payment_state": paid})
    return out


def _asked(by: str, asked: str) -> dict:
    """What the audit keeps of what was asked: a member number as it is; an ID number masked for
    a reader, sealed and indexed so that the lookups of a person can be found."""
    if by == "member_no":
        return {"asked": asked[:40], "asked_sealed": None, "asked_index": None}
    kept = id_numbers.kept(asked)
    return {"asked": kept["id_masked"], "asked_sealed": kept["id_sealed"], "asked_index": kept["id_index"]}


def _audit(session, who: Identity, by: str, asked: list[tuple[str, bool]]) -> None:
    now = clock.utcnow_naive()
    session.execute(insert(CoverLookup), [{
        "at": now, "username": who.user, "role": who.role, "union_id": who.union_id, "district_id": who.district_id,
        "by": by, **_asked(by, number), "found": found, "request_id": who.request_id[:64]} for number, found in asked])


def _resident_number(raw: str) -> str:
    try:
        return parse_resident_id(raw, clock.today()).number
    except IdNumberInvalid as exc:
        raise ValidationFailed({"id_number": [str(exc)]}, message=str(exc), code="ID_NUMBER_INVALID") from None


def lookup(uow, who: Identity, id_number: str | None = None, member_no: str | None = None) -> dict:
    """One person's cover history; NotFound (未查到该人员的参保信息) when unknown or out of scope."""
    session = uow.session
    if bool(id_number) == bool(member_no):
        raise ValidationFailed({"id_number": ["请填写身份证号码或会员编号（二选一）"]})
    if id_number:
        by, number = "id_number", _resident_number(id_number)
        asked = number
    else:
        by, asked = "member_no", member_no.strip()
        # opened, not compared by its stored index: the person's covers are found under every index key
        number = id_numbers.opened(session.scalar(
            select(MemberView.id_sealed).where(MemberView.member_no == asked).limit(1)))
    found = histories(session, who, [number]).get(number) if number else None
    _audit(session, who, by, [(asked, found is not None)])
    uow.commit()
    if found is None:
        raise NotFound(NOT_FOUND_MESSAGE, code="COVER_NOT_FOUND")
    return {"id_number": mask_id(number), **found}


def read_id_numbers(data: bytes) -> list[str]:
    """The first column of the first sheet from row 2 (row 1: 身份证号码): at most BULK_LIMIT."""
    sheet = read_upload(data)
    numbers = [cell_text(cells[0]) for _, cells in sheet.data_rows(2) if cells and cell_text(cells[0])]
    if len(numbers) > BULK_LIMIT:
        raise TooLarge(f"一次最多查询 {BULK_LIMIT:,} 个身份证号码，本文件有 {len(numbers):,} 个，请分批查询",
                       code="TOO_MANY_ROWS", limit=BULK_LIMIT)
    if not numbers:
        raise ValidationFailed({"file": ["文件中没有身份证号码（第 1 列，从第 2 行起）"]})
    return numbers


def bulk_lookup(uow, who: Identity, raw_numbers: list[str]) -> list[dict]:
    """Each asked number (in the order given) with its check message or the latest cover
    states the caller may see; all audited."""
    today = clock.today()
    parsed = []
    for raw in raw_numbers:
        try:
            parsed.append((raw, parse_resident_id(raw, today).number, None))
        except IdNumberInvalid as exc:
            parsed.append((raw, None, str(exc)))
    valid = sorted({n for _, n, _ in parsed if n})
    found = histories(uow.session, who, valid)
    _audit(uow.session, who, "bulk", [(n, n in found) for n in valid])
    uow.commit()
    out = []
    for raw, number, problem in parsed:
        person = found.get(number) if number else None
        out.append({"asked": raw, "id_number": number, "problem": problem, "person": person})
    return out


def bulk_workbook(results: list[dict]) -> bytes:
    """One row per number asked, in the order asked: the latest cover year's state in full, the
    earlier years summed up in one cell (历年参保), or why there is none (说明).

    The 身份证号码 column echoes the numbers of the clerk's own file (normalised), never a number
    from our records: it tells them nothing they did not send, and it is what they match the
    result against their list by (a masked column would leave only the row order). Nothing else in
    the workbook is an ID number."""
    columns = [Column("身份证号码", 22, text=True), Column("姓名", 12), Column("保障年度", 10), Column("保障类型", 10),
               Column("保障期间", 24), Column("参保方式", 10), Column("参保单位", 30), Column("保障状态", 10),
               Column("缴费状态", 16), Column("给付申请材料截止", 16), Column("历年参保", 40), Column("说明", 30)]
    rows = []
    for r in results:
        if r["problem"] or r["person"] is None:
            rows.append([r["asked"] if r["problem"] else r["id_number"], None, None, None, None, None, None, None,
                         None, None, None, r["problem"] or NOT_FOUND_MESSAGE])
            continue
        latest, *earlier = r["person"]["covers"]
        rows.append([r["id_number"], r["person"]["name"], latest["cover_year"], latest["type_name"],
                     f"{latest['cover_start']:%Y-%m-%d}至{latest['cover_end']:%Y-%m-%d}", latest["mode_name"],
                     latest["union_name"], latest["state"], latest["payment_state"], latest["claims_deadline"],
                     "；".join(f"{c['cover_year']} {c['type_name']} {c['state']}（{c['payment_state']}）"
                              for c in earlier) or None, None])
    return write_workbook([SheetSpec("职工保障查询结果", columns, rows)])


def template() -> bytes:
    return write_workbook([SheetSpec("职工保障查询", [Column("身份证号码", 24, text=True)], [], template_rows=200)])
