"""The district's 基层工会 page (issue 27 item 6): its unions with registration, clerk, last login and
this year's enrolment and money, filtered, sorted, paged — and the same list as a workbook."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers, downloads
from common.downloads import download
from common.excel import CONTENT_TYPE
from common.schema import BaseSchema, Timestamp
from common.web import current_identity, roles, uow
from gateway.adapters import chase_workbook
from gateway.handlers import district_unions

blp = Blueprint(
    "district_unions",
    __name__,
    url_prefix="/api/v1/district-unions",
    description="区局的基层工会：登记、代办员账号、最近登录、本年度参保与应缴（催办用）",
)

SHOW = "、".join(f"{k} {v}" for k, v in district_unions.FILTERS.items())


class ListQuery(BaseSchema):
    show = fields.String(
        validate=validate.OneOf(list(district_unions.FILTERS)), metadata={"description": f"只看：{SHOW}"}
    )
    name = fields.String(
        validate=validate.Length(max=200), metadata={"description": "单位名称的一部分或统一社会信用代码"}
    )
    sort = fields.String(
        load_default="name",
        validate=validate.OneOf(["name", "submitted_at", "owing"]),
        metadata={
            "description": "name 单位名称 / submitted_at 最近提交在前 / owing 欠缴多者在前（按账号状态筛选时按开户先后）"
        },
    )


class PageQuery(ListQuery):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class UnionRow(BaseSchema):
    union_id = fields.Integer()
    name = fields.String(allow_none=True, metadata={"description": "null：名录已不把该工会列在本区局"})
    credit_code = fields.String(allow_none=True)
    registered_via = fields.String(metadata={"description": "registration 组织注册 / centre 市职保中心登记"})
    registered_via_text = fields.String()
    registration_no = fields.String(allow_none=True)
    account_state = fields.String(metadata={"description": "none / awaiting_activation / active / disabled"})
    account_state_text = fields.String()
    username = fields.String(allow_none=True)
    clerk_name = fields.String(allow_none=True)
    clerk_mobile = fields.String(allow_none=True, metadata={"description": "已隐去中间数字"})
    last_login_at = Timestamp(allow_none=True)
    state = fields.String(allow_none=True, metadata={"description": "not_submitted / returned / submitted"})
    state_text = fields.String(allow_none=True)
    submission_status_text = fields.String(allow_none=True)
    return_reason = fields.String(allow_none=True)
    headcount = fields.Integer(allow_none=True)
    submitted_at = fields.String(allow_none=True, metadata={"description": "最近提交时间（ISO 8601，带时区）"})
    due_fen = fields.Integer(allow_none=True, metadata={"description": "应缴（计费服务）"})
    paid_fen = fields.Integer(allow_none=True, metadata={"description": "已缴：所在批次已全额到账或核销的部分"})
    owing_fen = fields.Integer(allow_none=True, metadata={"description": "欠缴 = 应缴 − 已缴"})
    owing = fields.Boolean(allow_none=True)


class Counts(BaseSchema):
    all = fields.Integer()
    not_submitted = fields.Integer()
    returned = fields.Integer()
    submitted = fields.Integer()
    owing = fields.Integer()
    inactive = fields.Integer()
    never_logged_in = fields.Integer()


class UnionPage(BaseSchema):
    cover_year = fields.Integer()
    show = fields.String(allow_none=True)
    sort = fields.String()
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    counts = fields.Nested(Counts)
    items = fields.List(fields.Nested(UnionRow))


@blp.route("/<int(min=2000, max=2100):cover_year>")
class DistrictUnions(MethodView):
    @roles("district")
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, UnionPage)
    @answers(404, 503)
    def get(self, query, cover_year):
        """本区局的基层工会（分页）及各状态数量：未提交、已退回、欠费、未激活、从未登录."""
        with uow() as work:
            return district_unions.district_unions(work, current_identity(), cover_year, **query)


@blp.route("/<int(min=2000, max=2100):cover_year>/workbook.xlsx")
class DistrictUnionsWorkbook(MethodView):
    @roles("district")
    @blp.arguments(ListQuery, location="query")
    @downloads(CONTENT_TYPE)
    @answers(404, 503)
    def get(self, query, cover_year):
        """同一名单的 Excel（筛选、查询与排序同页面），至多 20000 家."""
        with uow() as work:
            rows = district_unions.export_rows(work, current_identity(), cover_year, **query)
        return download(chase_workbook.workbook(rows), f"基层工会催办名单（{cover_year}年度）.xlsx", CONTENT_TYPE)
