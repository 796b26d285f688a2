"""Member service cards (会员服务卡): the bank card number and issue date recorded on a member,
by its union or the centre. The bank's lists of cards go through lists.cards_from_list."""

from __future__ import annotations

import re

from sqlalchemy import select

from common import clock
from common.errors import Conflict, ValidationFailed
from common.identity import Identity
from services.members import contracts
from services.members.adapters.orm import Member
from services.members.domain import idcard
from services.members.handlers.id_lookups import count_lookups_now
from services.members.handlers.roster import get_member
from services.members.handlers.shared import commit_or_conflict, publish_member

CARD_NUMBER = re.compile(r"^\d{12,19}$")


def check_card(card_number, issued_on) -> tuple[str, list]:
    """The card number cleaned, and its problems as (field, message)."""
    number = idcard.clean(card_number or "")
    problems = []
    if not CARD_NUMBER.match(number):
        problems.append(("card_number", "卡号应为 12–19 位数字"))
    if issued_on is None:
        problems.append(("issued_on", "此项必填"))
    elif issued_on > clock.today():
        problems.append(("issued_on", "办卡日期不能晚于今天"))
    return number, problems


def issue_card(uow, who: Identity, member_id: int, card_number: str, issued_on) -> Member:
    """发卡: record a member service card (会员服务卡, the bank card number) and its issue date."""
    who.require("grassroots", "centre")
    member = get_member(uow, who, member_id, for_update=True)
    if member.status == "left":
        raise Conflict("该会员已转出，不能办卡", code="MEMBER_LEFT")
    number, problems = check_card(card_number, issued_on)
    if problems:
        raise ValidationFailed({k: [m] for k, m in problems})
    count_lookups_now(uow, who, 1)  # CARD_TAKEN tells that the card is registered to someone
    holder = uow.session.scalar(select(Member.id).where(Member.card_number == number))
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
