"""The district's unions with this year's enrolment state and money (基层工会 page, issue 27 item 6)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from common.schema import BaseSchema, Timestamp
from common.web import current_identity, roles, uow
from services.enrollment.api.schemas import _mode
from services.enrollment.handlers import district_unions

blp = Blueprint("district_unions", __name__, description="区局的基层工会：本年度参保提交与应缴情况")


class DistrictUnionsQuery(BaseSchema):
    mode = _mode
    state = fields.String(
        validate=validate.OneOf(list(district_unions.STATES)),
        metadata={"description": "not_submitted 未提交 / returned 已退回 / submitted 已提交 / owing 欠费"},
    )
    name = fields.String(
        validate=validate.Length(max=200), metadata={"description": "单位名称的一部分或统一社会信用代码"}
    )
    union_ids = DelimitedList(
        fields.Integer(validate=validate.Range(min=1, max=2_147_483_647)),
        validate=validate.Length(max=200),
        metadata={"description": "只看这些基层工会（逗号分隔，至多 200 个）"},
    )
    district_id = fields.Integer(metadata={"description": "市职保中心：要看的区局"})
    sort = fields.String(
        load_default="name",
        validate=validate.OneOf(district_unions.SORTS),
        metadata={"description": "name 单位名称 / submitted_at 最近提交在前 / owing 欠缴多者在前"},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class DistrictUnionOut(BaseSchema):
    union_id = fields.Integer()
    name = fields.String()
    credit_code = fields.String()
    contact_person = fields.String()
    phone = fields.String()
    state = fields.String(metadata={"description": "not_submitted / returned / submitted"})
    state_text = fields.String()
    submission_status = fields.String(allow_none=True, metadata={"description": "最近一次提交的状态"})
    submission_status_text = fields.String(allow_none=True)
    return_reason = fields.String(allow_none=True)
    headcount = fields.Integer(metadata={"description": "未退回提交的参保人数"})
    submitted_at = Timestamp(allow_none=True)
    returned_at = Timestamp(allow_none=True)
    due_fen = fields.Integer(metadata={"description": "应缴：未退回提交的基层单位承担（计费服务）"})
    paid_fen = fields.Integer(metadata={"description": "已缴：其中所在批次已全额到账或核销的部分"})
    owing_fen = fields.Integer(metadata={"description": "欠缴 = 应缴 − 已缴"})
    owing = fields.Boolean()
    priced = fields.Boolean(metadata={"description": "计费服务是否已为全部提交计价"})


class Counts(BaseSchema):
    all = fields.Integer()
    not_submitted = fields.Integer()
    returned = fields.Integer()
    submitted = fields.Integer()
    owing = fields.Integer()


class DistrictUnionsPage(BaseSchema):
    cover_year = fields.Integer()
    mode = fields.String()
    district_id = fields.Integer()
    total = fields.Integer()
    counts = fields.Nested(Counts)
    items = fields.List(fields.Nested(DistrictUnionOut))


@blp.route("/cover-years/<int(min=2000, max=2100):cover_year>/district-unions")
class DistrictUnions(MethodView):
    @roles("district", "centre")
    @blp.arguments(DistrictUnionsQuery, location="query")
    @blp.response(200, DistrictUnionsPage)
    def get(self, query, cover_year):
        """区局的基层工会及本年度参保状态（未提交/已退回/欠费），分页，附各状态数量."""
        with uow() as work:
            return district_unions.district_unions(work, current_identity(), cover_year, **query)
