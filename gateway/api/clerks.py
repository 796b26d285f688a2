"""代办员 (a union's clerk): its history and 代办员变更 (the union's clerk or its district), the
district's and the centre's list of clerks' accounts, and 重发激活链接
(docs/decisions/0040-clerk-handover.md)."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers
from common.errors import NotFound
from common.identity import Identity
from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import current_identity, roles, uow
from gateway.adapters import members_directory
from gateway.handlers import account_links, handover

blp = Blueprint("clerks", __name__, url_prefix="/api/v1", description="代办员变更与激活链接")


class HandoverIn(BaseSchema):
    display_name = fields.String(
        required=True, validate=validate.Length(min=1, max=50), metadata={"description": "新代办员姓名"}
    )
    mobile = fields.String(
        required=True,
        validate=validate.Regexp(r"^\s*1[3-9]\d{9}\s*$", error="请填写 11 位手机号码"),
        metadata={"description": "新代办员手机（历史中只保留掩码）"},
    )
    email = fields.Email(
        required=True, validate=validate.Length(max=254), metadata={"description": "激活链接发送至该邮箱"}
    )
    username = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,64}$", error="用户名为 3–64 位字母、数字或 _ . -"),
        metadata={"description": "新代办员希望使用的用户名（须未被使用）"},
    )


class HandoverOut(BaseSchema):
    username = fields.String()
    display_name = fields.String()
    replaced = fields.List(fields.String(), metadata={"description": "被停用的原代办员用户名"})
    message = fields.String(metadata={"description": "办理结果，一句话"})


class ClerkNow(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    email = fields.String(allow_none=True)
    awaiting_activation = fields.Boolean()


class Term(BaseSchema):
    username = fields.String()
    display_name = fields.String()
    since = Timestamp(metadata={"description": "任职起"})
    until = Timestamp(allow_none=True, metadata={"description": "任职止；空为现任"})
    named_by = fields.String(allow_none=True, metadata={"description": "由谁变更为该代办员；空为首任"})
    ended_by = fields.String(allow_none=True, metadata={"description": "由谁变更离任"})
    mobile = fields.String(allow_none=True, metadata={"description": "手机（掩码）"})
    email = fields.String(allow_none=True)


class HistoryOut(BaseSchema):
    union_id = fields.Integer()
    clerks = fields.List(fields.Nested(ClerkNow), metadata={"description": "现任代办员（含待激活）"})
    terms = fields.List(fields.Nested(Term), metadata={"description": "历任代办员，新的在前"})


class ClerkAccount(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    union_id = fields.Integer(allow_none=True)
    email = fields.String(allow_none=True)
    active = fields.Boolean()
    awaiting_activation = fields.Function(account_links.awaiting_activation)


def _union_district(who: Identity, union_id: int) -> int:
    """The union's district: the grassroots caller's own (no call); else as members says (an
    unknown union: 404). A grassroots caller naming another union is refused by the rules."""
    if who.role == "grassroots":
        return who.district_id if who.union_id == union_id and who.district_id else -1
    district_id = members_directory.union_district(union_id, who.request_id)
    if district_id is None:
        raise NotFound()
    return district_id


@blp.route("/unions/<int:union_id>/clerks", methods=["GET"])
@roles("grassroots", "district", "centre")
@blp.response(200, HistoryOut)
@answers(503)  # members answers which district the union is in
def clerk_history(union_id):
    """代办员：现任与历任（任职起止、由谁变更）。本会、所属区局与市职保中心可查看。"""
    who = current_identity()
    district_id = _union_district(who, union_id)
    with uow() as work:
        return handover.history(work, who, union_id, district_id)


@blp.route("/unions/<int:union_id>/clerks/handover", methods=["POST"])
@roles("grassroots", "district")
@blp.arguments(HandoverIn)
@blp.response(201, HandoverOut)
@answers(403, 409, 503)
def hand_over(data, union_id):
    """代办员变更：由本会现任代办员或所属区局办理。新代办员账号创建为未激活，激活链接发送至其邮箱；
    原代办员账号停用，其所有登录（含续期凭证）立即结束。用户名已被使用：409。"""
    who = current_identity()
    district_id = _union_district(who, union_id)
    found = members_directory.scope_names({union_id}, {district_id}, g.request_id) if district_id > 0 else {}
    names = {"union": found.get(("union", union_id)), "district": found.get(("district", district_id))}
    with uow() as work:
        done = handover.hand_over(work, who, union_id, district_id, names, data)
    g.audit_subject = (
        f"{names['union'] or f'基层工会 {union_id}'} 代办员变更为 {done['display_name']}（{done['username']}）"
    )
    return done


class ClerkQuery(PageQuery):
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    awaiting = fields.Boolean(load_default=False, metadata={"description": "只列待激活的账号"})


@blp.route("/clerks", methods=["GET"])
@roles("district", "centre")
@blp.arguments(ClerkQuery, location="query")
@blp.response(200, ClerkAccount(many=True), headers={"X-Total-Count": {"description": "符合条件的账号总数"}})
def clerk_accounts(query):
    """代办员账号：区局为本区局所属基层工会的，市职保中心为全部；分页，总数在 X-Total-Count."""
    with uow() as work:
        total, items = handover.clerk_accounts(work, current_identity(), **query)
    return items, 200, {"X-Total-Count": str(total)}


@blp.route("/accounts/<int:account_id>/activation-link", methods=["POST"])
@roles("district", "centre")
@blp.response(200, ClerkAccount)
@answers(409, 422)  # not awaiting activation; no e-mail address
def resend_activation(account_id):
    """重发激活链接：发送新的激活链接，原链接作废。区局为本区局基层工会的代办员，市职保中心为任何待激活账号。
    账号不在待激活状态：409。"""
    with uow() as work:
        account = handover.resend_activation(work, current_identity(), account_id)
    g.audit_subject = f"{account.username}（{account.display_name}）"
    return account
