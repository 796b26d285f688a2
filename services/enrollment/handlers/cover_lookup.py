"""职工保障查询: a person's cover history by resident ID number (or member number), in the
caller's scope, every lookup audited (cover_lookup). Scope: a grassroots union sees the whole
history of its current members and, for anyone else, the years it enrolled them; a district
likewise for its unions; the centre everything. Out of scope answers exactly like unknown.

Numbers are compared by their blind index (adapters/id_numbers.py), never in clear: each number
asked is indexed under every index key and looked up with `IN`, so a lookup keeps finding people
while rotate-keys re-indexes. Answers show the number masked; the bulk result workbook echoes the
numbers of the clerk's own file (adapters/cover_lookup_excel.py).

A signed-in member (个人登录, decision 0041) reads their own history by their member id
(`my_covers`), with what each type pays in words; nobody else's."""

from __future__ import annotations

from sqlalchemy import insert

from common import clock
from common.db import UoW
from common.errors import NotFound, ValidationFailed
from common.identity import MEMBER, Identity
from common.pii import mask_id
from common.resident_id import IdNumberInvalid, parse_resident_id
from common.terms import COVER_BENEFITS
from services.enrollment.adapters import id_numbers, queries
from services.enrollment.adapters.orm import CoverLookup
from services.enrollment.domain.cover_state import (
    MODE_NAMES,
    NOT_FOUND_MESSAGE,
    cover_state,
    open_claims,
    payment_state,
)

TYPE_NAMES = {"A": "A类", "A+": "A+类", "B": "B类", "B+": "B+类"}


def _visible(who: Identity, row, current_member: bool) -> bool:
    if who.is_centre or current_member:
        return True
    if who.role == "grassroots":
        return row.union_id == who.union_id
    return row.district_id == who.district_id


def _histories(session, who: Identity, numbers: list[str]) -> dict[str, dict]:
    """{id_number: {name, covers: [...]}} for the people with any cover the caller may see."""
    out: dict[str, dict] = {}
    today = clock.today()
    for start in range(0, len(numbers), 1000):
        people = id_numbers.by_index(numbers[start : start + 1000])
        current = queries.current_members_in_scope(session, who, people)
        for row in queries.cover_history_rows(session, list(people)):
            number = people[row.id_index]
            paid = payment_state(row.status, row.sub_status, row.batch_status)
            if paid is None or not _visible(who, row, number in current):
                continue
            person = out.setdefault(number, {"name": row.name, "covers": []})
            person["covers"].append(
                {
                    "member_id": row.member_id,  # for its 参保凭证 (documents, decision 0042)
                    "cover_year": row.cover_year,
                    "type": row.type,
                    "type_name": TYPE_NAMES.get(row.type, row.type),
                    "cover_start": row.cover_start,
                    "cover_end": row.cover_end,
                    "mode": row.mode,
                    "mode_name": MODE_NAMES.get(row.mode, row.mode),
                    "union_id": row.union_id,
                    "union_name": row.union,
                    "batch_no": row.batch_no,
                    "claims_deadline": row.claims_deadline,
                    "state": cover_state(
                        row.cover_start, row.cover_end, row.status, row.sub_status, row.batch_status, today
                    ),
                    "payment_state": paid,
                }
            )
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
    session.execute(
        insert(CoverLookup),
        [
            {
                "at": now,
                "username": who.user,
                "role": who.role,
                "union_id": who.union_id,
                "district_id": who.district_id,
                "by": by,
                **_asked(by, number),
                "found": found,
                "request_id": who.request_id[:64],
            }
            for number, found in asked
        ],
    )


def _resident_number(raw: str) -> str:
    try:
        return parse_resident_id(raw, clock.today()).number
    except IdNumberInvalid as exc:
        raise ValidationFailed({"id_number": [str(exc)]}, message=str(exc), code="ID_NUMBER_INVALID") from None


def lookup(uow: UoW, who: Identity, id_number: str | None = None, member_no: str | None = None) -> dict:
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
        number = id_numbers.opened(queries.sealed_id_of_member(session, asked))
    found = _histories(session, who, [number]).get(number) if number else None
    _audit(session, who, by, [(asked, found is not None)])
    uow.commit()
    if found is None:
        raise NotFound(NOT_FOUND_MESSAGE, code="COVER_NOT_FOUND")
    covers = [(c["cover_year"], c["cover_end"], c["claims_deadline"], c["state"]) for c in found["covers"]]
    return {"id_number": mask_id(number), **found, "claims_open": open_claims(covers, clock.today())}


def bulk_lookup(uow: UoW, who: Identity, raw_numbers: list[str]) -> list[dict]:
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
    found = _histories(uow.session, who, valid)
    _audit(uow.session, who, "bulk", [(n, n in found) for n in valid])
    uow.commit()
    out = []
    for raw, number, problem in parsed:
        person = found.get(number) if number else None
        out.append({"asked": raw, "id_number": number, "problem": problem, "person": person})
    return out


def my_covers(uow: UoW, who: Identity) -> dict:
    """我的保障: every cover year of the signed-in member (a returned submission never was one),
    newest first, each with what its type pays, its mode, state and claims deadline."""
    who.require(MEMBER)
    today = clock.today()
    covers = []
    for row in queries.member_cover_rows(uow.session, who.member_id or 0):
        paid = payment_state(row.status, row.sub_status, row.batch_status)
        if paid is None:
            continue
        covers.append(
            {
                "cover_year": row.cover_year,
                "type": row.type,
                "type_name": TYPE_NAMES.get(row.type, row.type),
                "benefits": COVER_BENEFITS.get(row.type, ""),
                "cover_start": row.cover_start,
                "cover_end": row.cover_end,
                "mode": row.mode,
                "mode_name": MODE_NAMES.get(row.mode, row.mode),
                "union_id": row.union_id,
                "union_name": row.union,
                "claims_deadline": row.claims_deadline,
                "state": cover_state(
                    row.cover_start, row.cover_end, row.status, row.sub_status, row.batch_status, today
                ),
                "payment_state": paid,
            }
        )
    rows = [(c["cover_year"], c["cover_end"], c["claims_deadline"], c["state"]) for c in covers]
    return {"covers": covers, "claims_open": open_claims(rows, today)}
