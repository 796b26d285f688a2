"""HTTP entry points of 待确认变更 (docs/decisions/0047-member-details-corrections.md): the
member reads their own corrections (/me/detail-changes); the gateway hands over one whose new
mobile it confirmed by code (POST /detail-changes, the `gateway` identity only); the union's clerk
lists, accepts, declines, and reveals one new mobile (audited)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.identity import GATEWAY, MEMBER
from common.schema import BaseSchema, Timestamp
from common.web import audit_subject, current_identity, no_store, roles, uow
from services.members.domain import detail_change as rules
from services.members.handlers import detail_changes, detail_decisions

blp = Blueprint("detail_changes", __name__, description="待确认变更：会员本人更正联系地址与手机号码，所在工会确认")


class SubmitIn(BaseSchema):
    member_id = fields.Integer(required=True, metadata={"description": "the session's member (the gateway's own)"})
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400))
    mobile = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=20), metadata={"description": "已经验证码确认"}
    )


class MyChangeOut(BaseSchema):
    id = fields.Integer()
    state = fields.String(metadata={"description": "pending / accepted / declined / superseded"})
    state_text = fields.String(metadata={"description": "待单位确认 / 已更新 / 未通过：原因 / 已被新的申请替代"})
    new_address = fields.String(allow_none=True, metadata={"description": "null：未变更"})
    new_mobile = fields.String(allow_none=True, metadata={"description": "脱敏；null：未变更"})
    reason = fields.String(allow_none=True)
    submitted_at = Timestamp()
    decided_at = Timestamp(allow_none=True)


class MyChanges(BaseSchema):
    items = fields.List(fields.Nested(MyChangeOut), metadata={"description": "新的在前"})


class UnionChangeOut(BaseSchema):
    id = fields.Integer()
    member_id = fields.Integer()
    name = fields.String()
    member_no = fields.String(allow_none=True)
    state = fields.String()
    state_text = fields.String()
    old_address = fields.String()
    new_address = fields.String(allow_none=True, metadata={"description": "null：未变更"})
    old_mobile = fields.String(allow_none=True, metadata={"description": "脱敏"})
    new_mobile = fields.String(allow_none=True, metadata={"description": "脱敏（完整号码经 …/mobile-reveals）"})
    reason = fields.String(allow_none=True)
    submitted_at = Timestamp()
    decided_at = Timestamp(allow_none=True)
    decided_by = fields.String(allow_none=True)


class UnionChangesQuery(BaseSchema):
    state = fields.String(load_default=rules.PENDING, validate=validate.OneOf(list(rules.STATES)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class UnionChanges(BaseSchema):
    total = fields.Integer(metadata={"description": "该状态的变更数（待确认的即待办数）"})
    items = fields.List(fields.Nested(UnionChangeOut))


class DeclineIn(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(max=500), metadata={"description": "不予变更的原因"})


class DecidedOut(BaseSchema):
    id = fields.Integer()
    state = fields.String()
    state_text = fields.String()


class NewMobileOut(BaseSchema):
    id = fields.Integer()
    new_mobile = fields.String(allow_none=True, metadata={"description": "完整新手机号码"})


def _subject(member) -> str:
    return f"会员 {member.name}（{member.id_masked}）"


@blp.route("/me/detail-changes")
class Mine(MethodView):
    @roles(MEMBER)
    @no_store
    @blp.response(200, MyChanges)
    def get(self):
        """我的信息变更 (member): the member's own corrections and their states, newest first."""
        with uow() as work:
            return {"items": detail_changes.mine(work, current_identity())}


@blp.route("/detail-changes")
class Changes(MethodView):
    @roles("grassroots")
    @no_store
    @blp.arguments(UnionChangesQuery, location="query")
    @blp.response(200, UnionChanges)
    def get(self, query):
        """待确认变更 (grassroots): the union's members' own corrections in one state (default
        pending, oldest first), old → new, mobiles masked."""
        with uow() as work:
            total, items = detail_changes.union_changes(work, current_identity(), **query)
            return {"total": total, "items": items}

    @roles(GATEWAY)
    @no_store
    @blp.arguments(SubmitIn)
    @blp.response(201, MyChangeOut)
    def post(self, data):
        """A member's correction, handed over by the gateway once the new mobile's code was good
        (the gateway only: a member's own call cannot skip the code). Replaces an open one."""
        with uow() as work:
            row = detail_changes.submit(work, current_identity(), data["member_id"], data["address"], data["mobile"])
            return detail_changes.as_member_reads(row)


@blp.route("/detail-changes/<int:change_id>/accept")
class Accept(MethodView):
    @roles("grassroots")
    @blp.response(200, DecidedOut)
    def post(self, change_id):
        """确认变更：会员的联系地址/手机号码按申请更新，并短信通知会员。"""
        with uow() as work:
            change, member = detail_decisions.accept(work, current_identity(), change_id)
            audit_subject(_subject(member))
            return {"id": change.id, "state": change.state, "state_text": rules.state_text(change.state, None)}


@blp.route("/detail-changes/<int:change_id>/decline")
class Decline(MethodView):
    @roles("grassroots")
    @blp.arguments(DeclineIn)
    @blp.response(200, DecidedOut)
    def post(self, data, change_id):
        """不予变更：须填写原因（会员在本人页面与短信中看到）；会员信息不变。"""
        with uow() as work:
            change, member = detail_decisions.decline(work, current_identity(), change_id, data["reason"])
            audit_subject(_subject(member))
            return {"id": change.id, "state": change.state, "state_text": rules.state_text(change.state, change.reason)}


@blp.route("/detail-changes/<int:change_id>/mobile-reveals")
class RevealNewMobile(MethodView):
    @roles("grassroots")
    @no_store
    @blp.response(200, NewMobileOut)
    def post(self, change_id):
        """查看完整新手机号码 (grassroots, its own member's change). A POST, so that the gateway's
        audit trail records each reveal."""
        with uow() as work:
            change, member = detail_decisions.reveal_new_mobile(work, current_identity(), change_id)
            audit_subject(_subject(member))
            return {"id": change.id, "new_mobile": change.new_mobile}
