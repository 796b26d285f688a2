"""HTTP entry points for 个人参保申请 (有卡无保, decision 0045): the member's own ask and list
(the member id from the identity, never from the request), the union's list and 不受理."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.identity import MEMBER
from common.schema import BaseSchema
from common.web import audit_subject, current_identity, roles, uow
from services.enrollment.api.schemas import _year
from services.enrollment.domain import cover_requests as rules
from services.enrollment.handlers import cover_requests

blp = Blueprint("cover_requests", __name__, description="个人参保申请（有卡无保）")


class CoverRequestOut(BaseSchema):
    id = fields.Integer()
    cover_year = fields.Integer()
    member_id = fields.Integer()
    name = fields.String(metadata={"description": "会员姓名"})
    union_id = fields.Integer()
    union_name = fields.String(metadata={"description": "所在工会（会员本人查看时）"})
    state = fields.String(metadata={"description": "asked | submitted | covered | declined | failed"})
    state_text = fields.String(metadata={"description": "已申请 / 单位已提交 / 已参保 / 单位未受理 / 参保未成功"})
    reason = fields.String(allow_none=True, metadata={"description": "单位未受理的原因"})
    submission_id = fields.Integer(allow_none=True)
    asked_at = fields.DateTime()
    updated_at = fields.DateTime()


class CoverRequestsOut(BaseSchema):
    cover_year = fields.Integer()
    items = fields.List(fields.Nested(CoverRequestOut))


class UnionQuery(BaseSchema):
    cover_year = _year
    state = fields.String(validate=validate.OneOf(tuple(rules.STATES)), metadata={"description": "只看某一状态"})


class DeclineIn(BaseSchema):
    reason = fields.String(
        required=True, validate=validate.Length(max=rules.REASON_MAX), metadata={"description": "不受理的原因"}
    )


@blp.route("/me/cover-requests")
class MyCoverRequests(MethodView):
    @roles(MEMBER)
    @blp.response(200, CoverRequestsOut)
    def get(self):
        """我的参保申请 (member): the signed-in member's requests and their states, newest first."""
        with uow() as work:
            return cover_requests.mine(work, current_identity())

    @roles(MEMBER)
    @blp.response(201, CoverRequestOut)
    def post(self):
        """申请参保 (member, 有卡无保): ask the union to cover me for the current cover year. Refused
        with the reason (no card, covered already, not in the window, asked already)."""
        with uow() as work:
            row = cover_requests.ask(work, current_identity())
        audit_subject(f"{row['cover_year']}年度个人参保申请")
        return row


@blp.route("/cover-requests")
class UnionCoverRequests(MethodView):
    @roles("grassroots")
    @blp.arguments(UnionQuery, location="query")
    @blp.response(200, CoverRequestsOut)
    def get(self, q):
        """个人参保申请 (grassroots): the union's own members' requests for a year, oldest first."""
        with uow() as work:
            return cover_requests.union_list(work, current_identity(), q["cover_year"], q.get("state"))


@blp.route("/cover-requests/<int:request_id>/declines")
class DeclineCoverRequest(MethodView):
    @roles("grassroots")
    @blp.arguments(DeclineIn)
    @blp.response(200, CoverRequestOut)
    def post(self, data, request_id):
        """不受理 (grassroots): decline a member's request with a reason the member reads."""
        with uow() as work:
            row = cover_requests.decline(work, current_identity(), request_id, data["reason"])
        audit_subject(f"{row['name']}的个人参保申请")
        return row
