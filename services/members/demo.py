"""Demo members for `make run`: a few approved members with cards in each demo union, one still
waiting for approval, and one person with no union (to try 同步会员 category B). Written through
the handlers so that the member events reach the other services. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from common import clock
from common.identity import Identity
from services.members.adapters.orm import IdLookupDay, Member, id_number_is
from services.members.bootstrap import runtime
from services.members.domain.idcard import check_char
from services.members.handlers import cards, review, roster, transfers

NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周婷", "吴强"]


def demo_id(seq: int) -> str:
    first17 = f"310101{1970 + seq}0{1 + seq % 9}1{seq % 10}{100 + seq:03d}"
    return first17 + check_char(first17)


def _person(seq: int) -> dict:
    return {
        "name": NAMES[seq % len(NAMES)],
        "id_type": "resident",
        "id_number": demo_id(seq),
        "address": f"上海市黄浦区南京东路 {100 + seq} 号",
        "mobile": f"1391000{seq:04d}",
        "education": "大学本科",
        "household_type": "非农业",
    }


def _added(who: Identity, seq: int) -> Member:
    """新增会员 as the union would, except that the seed's own additions are not the union looking
    people up: they leave nothing in its daily ID lookups (decision 0021), whatever its allowance."""
    with runtime.uow() as uow:
        member = roster.add_member(uow, who, _person(seq))
    with runtime.uow() as uow:
        uow.session.execute(delete(IdLookupDay).where(IdLookupDay.union_id == who.union_id))
        uow.commit()
    return member


def seed(district_id: int, union_ids: list[int]) -> None:
    plan = {union_ids[0]: range(1, 7), union_ids[1]: range(7, 11)}
    district = Identity(user="seed-district", role="district", district_id=district_id, request_id="seed")
    centre = Identity(user="seed", role="centre", request_id="seed")
    issued_on = clock.today() - timedelta(days=60)
    for union_id, seqs in plan.items():
        who = Identity(
            user="seed-grassroots", role="grassroots", union_id=union_id, district_id=district_id, request_id="seed"
        )
        for seq in seqs:
            with runtime.uow() as uow:
                if uow.session.scalar(select(Member.id).where(id_number_is(demo_id(seq)))):
                    continue
            member = _added(who, seq)
            if seq in (6, 10):
                continue  # left waiting for approval (会员审核)
            with runtime.uow() as uow:
                review.approve_members(uow, district, [member.id])
            if seq % 3 != 0:
                with runtime.uow() as uow:
                    cards.issue_card(uow, centre, member.id, f"622202100{seq:010d}", issued_on)
    # someone who left a union: a sync or transfer-in brings them back at once (category B)
    with runtime.uow() as uow:
        if uow.session.scalar(select(Member.id).where(id_number_is(demo_id(11)))):
            return
    who = Identity(
        user="seed-grassroots", role="grassroots", union_id=union_ids[1], district_id=district_id, request_id="seed"
    )
    member = _added(who, 11)
    with runtime.uow() as uow:
        review.approve_members(uow, district, [member.id])
    with runtime.uow() as uow:
        transfers.transfer_out(uow, who, [member.id], "离职")
