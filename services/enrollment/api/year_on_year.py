"""HTTP entry points for 本年度与上年度对比: /year-on-year (a union; its workbook; a district's unions)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.downloads import download
from common.excel import CONTENT_TYPE
from common.schema import BaseSchema
from common.web import current_identity, roles, uow
from services.enrollment.adapters import year_on_year_excel
from services.enrollment.handlers import year_on_year

blp = Blueprint("year_on_year", __name__, description="本年度与上年度对比（集中参保）")


class UnionQuery(BaseSchema):
    union_id = fields.Integer(
        validate=validate.Range(min=1, max=2_147_483_647),
        metadata={"description": "区局、市职保中心须指定基层工会；基层工会为本会"},
    )


class DistrictQuery(BaseSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    district_id = fields.Integer(
        validate=validate.Range(min=1, max=2_147_483_647),
        metadata={"description": "市职保中心须指定区局；区局为本区局"},
    )


class ReasonCount(BaseSchema):
    code = fields.String(
        metadata={
            "description": "新增：moved_in / new_member / new_card / not_enrolled_last_year；"
            "不符合：left / moved_out / removed / no_card / not_normal / card_after_cutoff / covered_elsewhere"
        }
    )
    label = fields.String()
    count = fields.Integer()


class Reasons(BaseSchema):
    new = fields.List(fields.Nested(ReasonCount))
    gone = fields.List(fields.Nested(ReasonCount))


class Counts(BaseSchema):
    last_year = fields.Integer(metadata={"description": "上年度在本会参保人数"})
    this_year = fields.Integer(metadata={"description": "本年度可参保人数（确认名单 + 本会本年度已参保）"})
    again = fields.Integer(metadata={"description": "上年度参保、本年度可再参保"})
    new = fields.Integer(metadata={"description": "本年度新增"})
    gone = fields.Integer(metadata={"description": "上年度参保、本年度不符合条件"})
    change = fields.Integer(metadata={"description": "增减人数 = 新增 − 不符合"})
    reasons = fields.Nested(Reasons)


class Person(BaseSchema):
    member_id = fields.Integer()
    name = fields.String()
    id_masked = fields.String(metadata={"description": "证件号码（遮蔽）"})
    category = fields.String(metadata={"description": "again / new / gone"})
    reason_code = fields.String()
    reason = fields.String(metadata={"description": "原因，如 新办会员服务卡、已转出（离职）"})


class UnionYearOnYear(Counts):
    cover_year = fields.Integer()
    from_year = fields.Integer()
    union_id = fields.Integer()
    union_name = fields.String()
    people = fields.List(fields.Nested(Person), metadata={"description": "新增与不符合的人员（再参保者只计数）"})


class UnionRow(Counts):
    union_id = fields.Integer()
    union_name = fields.String()


class DistrictYearOnYear(BaseSchema):
    cover_year = fields.Integer()
    from_year = fields.Integer()
    district_id = fields.Integer()
    total = fields.Integer(metadata={"description": "两年中有参保或可参保人员的基层工会数"})
    page = fields.Integer()
    per_page = fields.Integer()
    unions = fields.List(fields.Nested(UnionRow), metadata={"description": "按增减人数排序，减少最多者在前"})


@blp.route("/year-on-year/<int(min=2000, max=2100):cover_year>")
class UnionComparison(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(UnionQuery, location="query")
    @blp.response(200, UnionYearOnYear)
    def get(self, query, cover_year):
        """本年度与上年度对比（基层工会）: again, new (why), gone (why)."""
        with uow() as work:
            return year_on_year.union_year_on_year(work, current_identity(), cover_year, query.get("union_id"))


@blp.route("/year-on-year/<int(min=2000, max=2100):cover_year>/workbook")
class UnionComparisonWorkbook(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(UnionQuery, location="query")
    @blp.response(200, {"type": "string", "format": "binary"}, content_type=CONTENT_TYPE)
    def get(self, query, cover_year):
        """本年度与上年度对比工作簿（.xlsx）: the counts and every member of either year with the reason."""
        with uow() as work:
            compared = year_on_year.union_year_on_year(work, current_identity(), cover_year, query.get("union_id"))
        name = f"{compared['union_name']}{cover_year}与{cover_year - 1}年度参保对比.xlsx"
        return download(year_on_year_excel.workbook(compared), name, CONTENT_TYPE)


@blp.route("/year-on-year/<int(min=2000, max=2100):cover_year>/unions")
class DistrictComparison(MethodView):
    @roles("centre", "district")
    @blp.arguments(DistrictQuery, location="query")
    @blp.response(200, DistrictYearOnYear)
    def get(self, query, cover_year):
        """本年度与上年度对比（区局，按基层工会）: the same counts per union."""
        with uow() as work:
            return year_on_year.district_year_on_year(
                work, current_identity(), cover_year, query.get("district_id"), query["page"], query["per_page"]
            )
