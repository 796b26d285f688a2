"""个人登录 and 我的会员卡 (issue 29, docs/decisions/0041-member-sign-in.md): the gateway asks
whether an ID number and a mobile are a member's on record (compared by their blind indexes, never
in clear, the answer the same shape either way); a signed-in member reads their own card and
details, and their own full ID number on request (a POST, audited by the gateway like every
reveal). A member's identity names them (`member_id`); nothing here answers about anyone else."""

from __future__ import annotations

import hmac

from common import crypto
from common.db import UoW
from common.errors import NotFound
from common.identity import GATEWAY, MEMBER, Identity
from common.pii import mask_id, mask_mobile
from services.members.adapters import queries
from services.members.adapters.orm import MOBILE_FIELD, GrassrootsUnion, Member

SIGN_IN_STATES = ("normal", "pending", "left")  # a rejected entry is not a member to sign in as
_NO_MOBILE = "-"


def match(uow: UoW, who: Identity, id_number: str, mobile: str) -> dict:
    """{member_id, union_id} of the member with this ID number whose mobile on record is this one,
    or both None. The same work either way: the mobile's index is always computed and compared."""
    who.require(GATEWAY)
    member = queries.member_with_id_number(uow.session, id_number.strip().upper())
    on_record = member.mobile if member is not None and member.status in SIGN_IN_STATES else None
    given = crypto.blind_index(MOBILE_FIELD, mobile.strip())
    stored = crypto.blind_index(MOBILE_FIELD, on_record or _NO_MOBILE)
    same = hmac.compare_digest(given, stored) and on_record is not None
    if member is None or not same:
        return {"member_id": None, "union_id": None}
    return {"member_id": member.id, "union_id": member.union_id}


def _me(uow: UoW, who: Identity) -> Member:
    who.require(MEMBER)
    member = uow.session.get(Member, who.member_id) if who.member_id else None
    if member is None:
        raise NotFound("未找到您的会员信息", code="MEMBER_NOT_FOUND")
    return member


def my_card(uow: UoW, who: Identity) -> dict:
    """我的会员卡: union, member number, the card (masked) and its date, the person's details masked."""
    member = _me(uow, who)
    union = uow.session.get(GrassrootsUnion, member.union_id) if member.union_id else None
    return {
        "member_id": member.id,
        "name": member.name,
        "union_id": member.union_id,
        "union_name": union.name if union else None,
        "member_no": member.member_no,
        "status": member.status,
        "id_type": member.id_type,
        "id_number": member.id_masked,
        "mobile": member.mobile_masked or mask_mobile(member.mobile),
        "address": member.address,
        "card_number": mask_id(member.card_number),
        "card_issued_on": member.card_issued_on,
    }


def reveal_own_id_number(uow: UoW, who: Identity) -> Member:
    """查看本人完整证件号码: the member's own number, on request (the gateway audits the POST)."""
    return _me(uow, who)
