"""参保确认: the members a union may enrol now, with the header a confirmation screen shows."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from common.schema import BaseSchema, PageQuery
from common.web import current_identity, roles, uow
from services.enrollment.api.schemas import (
    MemberRow,
    Window,
    _kind,
    _mode,
    _type,
    _year,
)
from services.enrollment.handlers import eligibility

blp = Blueprint("confirmation", __name__, description="参保确认")


class ConfirmationQuery(PageQuery):
    cover_year = _year
    mode = _mode
    kind = _kind
    type = _type


class Confirmation(BaseSchema):
    cover_year = fields.Integer()
    mode = fields.String()
    kind = fields.String(allow_none=True)
    chosen_type = fields.String(allow_none=True, metadata={"description": "本年度已选择的保障类型"})
    type = fields.String(allow_none=True)
    headcount = fields.Integer()
    district_id = fields.Integer()
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "按计价类别的人数；金额由计费服务试算：POST /billing/quotes/{year}"},
    )
    window = fields.Nested(Window)
    cover_start = fields.Date()
    cover_end = fields.Date()
    pay_by = fields.Date(allow_none=True, metadata={"description": "基层工会划款至区局截止日（集中参保）"})
    instant_payment_days = fields.Integer(
        allow_none=True,
        metadata={"description": "即时参保：提交后多少天内划款至区局（本年度设置；提交后计费服务给出具体日期）"},
    )
    items = fields.List(fields.Nested(MemberRow))
    members_behind = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "true: member changes are still on their way to this list (show 名单同步中…); "
            "null: not known yet (the broker has not answered)"
        },
    )
    members_pending_events = fields.Integer(
        allow_none=True, metadata={"description": "member events not yet applied here, as of a look at most 5 s old"}
    )


@blp.route("/confirmation")
class ConfirmationView(MethodView):
    @roles("grassroots")
    @blp.arguments(ConfirmationQuery, location="query")
    @blp.response(200, Confirmation)
    def get(self, q):
        """参保确认画面: eligible members (paged) with the header totals."""
        with uow() as work:
            return eligibility.confirmation(
                work,
                current_identity(),
                q["cover_year"],
                q["mode"],
                q.get("kind"),
                q.get("type"),
                q["page"],
                q["per_page"],
            )
