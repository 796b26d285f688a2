"""Member service cards (会员服务卡): the bank card number and issue date recorded on a member, by
its union or the centre — one at a time, or from the bank's list (证件号码, 卡号, 办卡日期; all or
nothing, run as an upload job).

Seams: `id_lookups.count_lookups_now` (卡号已登记给其他会员 tells whose card is registered),
`roster.get_member` (a member in the caller's scope), `uploads.rows_rejected` (a list refused for
its rows, as every upload) and `shared` (events, a lost unique race)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from common import clock, excel
from common.db import UoW
from common.errors import Conflict, ValidationFailed
from common.identity import Identity
from services.members import contracts
from services.members.adapters import excel as xl
from services.members.adapters import queries
from services.members.adapters.member_rows import record_cards
from services.members.adapters.orm import Member
from services.members.domain import idcard
from services.members.domain.cards import check_card
from services.members.domain.member import parse_date
from services.members.domain.roster_sync import RowError, normalise_any_id
from services.members.domain.scope import member_in_scope
from services.members.handlers.id_lookups import count_lookups_now
from services.members.handlers.roster import get_member
from services.members.handlers.shared import commit_or_conflict, publish_member, publish_members
from services.members.handlers.uploads import rows_rejected


def issue_card(uow: UoW, who: Identity, member_id: int, card_number: str, issued_on) -> Member:
    """发卡: record a member service card (会员服务卡, the bank card number) and its issue date."""
    who.require("grassroots", "centre")
    member = get_member(uow, who, member_id, for_update=True)
    if member.status == "left":
        raise Conflict("该会员已转出，不能办卡", code="MEMBER_LEFT")
    number, problems = check_card(card_number, issued_on, clock.today())
    if problems:
        raise ValidationFailed({k: [m] for k, m in problems})
    count_lookups_now(uow, who, 1)  # CARD_TAKEN tells that the card is registered to someone
    holder = queries.card_holders(uow.session, [number]).get(number)
    if holder is not None and holder != member.id:
        raise Conflict("该卡号已登记给其他会员", code="CARD_TAKEN", fields={"card_number": ["该卡号已登记给其他会员"]})
    set_card(member, number, issued_on)
    publish_member(uow, contracts.MEMBER_CARD_ISSUED, member)
    commit_or_conflict(uow, "CARD_TAKEN", "该卡号已登记给其他会员")
    return member


def set_card(member: Member, number: str, issued_on) -> None:
    now = clock.utcnow_naive()
    member.card_number, member.card_issued_on, member.card_recorded_at = number, issued_on, now
    member.version += 1
    member.updated_at = now


CARD_COLUMNS = ("证件号码", "卡号", "办卡日期")
CARD_TAKEN_MEANWHILE = "导入期间卡号已被登记，请重新导入"


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
            card, card_problems = check_card(card, issued_on, today)
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


def cards_from_list(uow: UoW, who: Identity, data: bytes, job_id: int):
    """会员服务卡 from the bank's list (证件号码, 卡号, 办卡日期): grassroots for its own members,
    the centre for anyone."""
    who.require("grassroots", "centre")
    rows = xl.rows_of(data, "cards")
    count_lookups_now(uow, who, len(rows))  # 该卡号已登记给其他会员 tells whose card is registered
    wanted, errors = _card_rows(rows, clock.today())
    errors = rows.formula_errors + errors
    with uow.fresh() as work:
        members = queries.members_with_ids(work.session, [w[1] for w in wanted])
        holders = queries.card_holders(work.session, [w[2] for w in wanted])
        districts = queries.districts_of(work.session, [m.union_id for m in members.values()])
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
        try:  # one statement for the whole list (decision 0049); a card taken meanwhile: 409
            record_cards(work.session, [(members[n], card, on) for _, n, card, on in wanted], clock.utcnow_naive())
        except IntegrityError:
            work.rollback()
            raise Conflict(CARD_TAKEN_MEANWHILE, code="CARD_TAKEN") from None
        publish_members(work, [(contracts.MEMBER_CARD_ISSUED, members[w[1]]) for w in wanted], districts)
        commit_or_conflict(work, "CARD_TAKEN", CARD_TAKEN_MEANWHILE)
    return {"rows": len(rows), "cards": len(wanted)}, xl.notice_of(rows)
