"""个人登录's check and 我的会员卡 (issue 29, docs/decisions/0041-member-sign-in.md): the gateway's
internal question (does this ID number go with this mobile?), and the signed-in member's own
card and details."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.identity import GATEWAY, MEMBER
from common.schema import BaseSchema
from common.web import audit_subject, current_identity, no_store, roles, uow
from services.members.handlers import member_self

blp = Blueprint("me", __name__, description="个人登录核对；会员本人的会员卡与信息")


class MatchIn(BaseSchema):
    id_number = fields.String(required=True, validate=validate.Length(min=1, max=40))
    mobile = fields.String(required=True, validate=validate.Length(min=1, max=20))


class MatchOut(BaseSchema):
    member_id = fields.Integer(allow_none=True, metadata={"description": "null: no member with both"})
    union_id = fields.Integer(allow_none=True)


class MyCardOut(BaseSchema):
    member_id = fields.Integer()
    name = fields.String()
    union_id = fields.Integer(allow_none=True)
    union_name = fields.String(allow_none=True)
    member_no = fields.String(allow_none=True, metadata={"description": "会员编号"})
    status = fields.String(metadata={"description": "pending 待审核 / normal 正常 / left 已离会"})
    id_type = fields.String()
    id_number = fields.String(metadata={"description": "脱敏证件号码（完整号码经 POST /me/id-number-reveals）"})
    mobile = fields.String(allow_none=True, metadata={"description": "脱敏手机号码"})
    address = fields.String()
    card_number = fields.String(allow_none=True, metadata={"description": "脱敏会员服务卡号"})
    card_issued_on = fields.Date(allow_none=True, metadata={"description": "办卡日期"})


class OwnIdOut(BaseSchema):
    id_number = fields.String(metadata={"description": "本人完整证件号码"})


@blp.route("/sign-in/match")
class Match(MethodView):
    @roles(GATEWAY)
    @no_store
    @blp.arguments(MatchIn)
    @blp.response(200, MatchOut)
    def post(self, data):
        """个人登录核对 (the gateway only): whether the ID number and mobile are one member's on record."""
        with uow() as work:
            return member_self.match(work, current_identity(), data["id_number"], data["mobile"])


@blp.route("/me")
class Me(MethodView):
    @roles(MEMBER)
    @no_store
    @blp.response(200, MyCardOut)
    def get(self):
        """我的会员卡 (member): union, member number, the card (masked) and its date."""
        with uow() as work:
            return member_self.my_card(work, current_identity())


@blp.route("/me/id-number-reveals")
class OwnIdReveal(MethodView):
    @roles(MEMBER)
    @no_store
    @blp.response(200, OwnIdOut)
    def post(self):
        """查看本人完整证件号码 (member, their own only). A POST, so the gateway's audit trail records each."""
        with uow() as work:
            member = member_self.reveal_own_id_number(work, current_identity())
            audit_subject(f"{member.name}（{member.id_masked}）")
            return {"id_number": member.id_number}
