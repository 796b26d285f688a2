"""What billing reports: the priced submissions, the ledger (台账) and the dashboard figures (统计)."""

from __future__ import annotations

import json

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import current_identity, roles, uow
from services.billing.api.schemas import Id, Year
from services.billing.handlers import reports, years

blp = Blueprint("reports", __name__, description="已计费提交、台账与统计")


class SubmissionQuery(PageQuery):
    cover_year = Year()
    union_id = Id()


class SubmissionOut(BaseSchema):
    submission_id = fields.Integer()
    union_id = fields.Integer()
    district_id = fields.Integer()
    cover_year = fields.Integer()
    type = fields.String(attribute="cover_type")
    mode = fields.String()
    counts = fields.Function(lambda s: json.loads(s.counts))
    headcount = fields.Integer()
    premium_fen = fields.Integer()
    city_subsidy_fen = fields.Integer()
    district_share_fen = fields.Integer()
    grassroots_share_fen = fields.Integer()
    grassroots_owes_fen = fields.Function(lambda s: s.grassroots_share_fen)
    pay_by = fields.Date(allow_none=True)
    status = fields.String()


class SubmissionPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(SubmissionOut))


class LedgerQuery(PageQuery):
    cover_year = Year()
    district_id = Id()
    union_id = Id()
    batch_id = Id()


class LedgerOut(BaseSchema):
    id = fields.Integer()
    at = Timestamp()
    cover_year = fields.Integer()
    district_id = fields.Integer()
    union_id = fields.Integer(allow_none=True)
    account = fields.String()
    kind = fields.String()
    amount_fen = fields.Integer()
    submission_id = fields.Integer(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    credit_id = fields.Integer(allow_none=True)
    note = fields.String()
    recorded_by = fields.String(metadata={"description": "经办人，或引起此记录的事件"})


class LedgerPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(LedgerOut))


class TypeFigures(BaseSchema):
    headcount = fields.Integer()
    premium_fen = fields.Integer()
    union_share_fen = fields.Integer()


class DistrictFigures(BaseSchema):
    """A district's batches of the year, summed (centre: every district; district: its own)."""

    district_id = fields.Integer()
    district_name = fields.String(allow_none=True)
    batches = fields.Integer()
    overdue_batches = fields.Integer()
    headcount = fields.Integer()
    premium_fen = fields.Integer()
    union_share_fen = fields.Integer()
    credit_applied_fen = fields.Integer()
    due_fen = fields.Integer()
    paid_fen = fields.Integer(metadata={"description": "已缴: money received"})
    voucher_declared_fen = fields.Integer(metadata={"description": "已上传凭证金额"})
    outstanding_fen = fields.Integer()
    by_type = fields.Dict(
        keys=fields.String(), values=fields.Nested(TypeFigures), metadata={"description": "per cover type"}
    )


class UnionFigures(BaseSchema):
    """A union's priced submissions of the year: what it owes its district."""

    union_id = fields.Integer()
    union_name = fields.String(allow_none=True)
    district_id = fields.Integer(allow_none=True)
    headcount = fields.Integer()
    premium_fen = fields.Integer()
    grassroots_owes_fen = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "headcount per type"})


class DashboardOut(BaseSchema):
    cover_year = fields.Integer()
    payment_deadline = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD; null without a cover year"})
    days_to_payment_deadline = fields.Integer(allow_none=True)
    districts = fields.List(fields.Nested(DistrictFigures), metadata={"description": "centre and district only"})
    unions = fields.List(fields.Nested(UnionFigures))


@blp.route("/submissions")
class Submissions(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(SubmissionQuery, location="query")
    @blp.response(200, SubmissionPage)
    def get(self, query):
        """已计费的参保提交 (scoped, paged): what each submission costs and what the union owes."""
        with uow() as work:
            total, items = reports.list_submissions(work, current_identity(), **query)
            return {"total": total, "items": items}


@blp.route("/ledger")
class Ledger(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(LedgerQuery, location="query")
    @blp.response(200, LedgerPage)
    def get(self, query):
        """台账: every amount with what and why (scoped)."""
        with uow() as work:
            total, items = reports.ledger(work, current_identity(), **query)
            return {"total": total, "items": items}


@blp.route("/dashboard/<int(min=2000, max=2100):year>")
class Dashboard(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.response(200, DashboardOut)
    def get(self, year):
        """统计: per district due/paid/outstanding by type; per union owed to its district (scoped)."""
        with uow() as work:
            return reports.dashboard(work, current_identity(), year)


class Change(BaseSchema):
    change = fields.Integer(allow_none=True, metadata={"description": "与上一年度相比的增减（首年为空）"})
    change_percent = fields.Float(
        allow_none=True, metadata={"description": "增减百分比（保留一位小数；上一年度为 0 时为空）"}
    )


class YearType(BaseSchema):
    type = fields.String()
    headcount = fields.Integer()
    premium_fen = fields.Integer()
    headcount_change = fields.Nested(Change)
    premium_fen_change = fields.Nested(Change)


class YearRow(BaseSchema):
    cover_year = fields.Integer()
    headcount = fields.Integer(metadata={"description": "参保人数（逾期失败的批次不计）"})
    premium_fen = fields.Integer(metadata={"description": "保障费用（分）"})
    received_fen = fields.Integer(metadata={"description": "已缴：到账金额（分）"})
    headcount_change = fields.Nested(Change)
    premium_fen_change = fields.Nested(Change)
    received_fen_change = fields.Nested(Change)
    types = fields.List(fields.Nested(YearType))


class YearsOut(BaseSchema):
    district_id = fields.Integer(allow_none=True)
    years = fields.List(fields.Nested(YearRow), metadata={"description": "按年度先后"})


class YearsQuery(BaseSchema):
    district_id = Id(metadata={"description": "市职保中心可指定区局；不指定为全市"})


@blp.route("/years")
class Years(MethodView):
    @roles("centre", "district")
    @blp.arguments(YearsQuery, location="query")
    @blp.response(200, YearsOut)
    def get(self, query):
        """历年对比: per year and type, headcount, premium and money received, with the change."""
        with uow() as work:
            return years.years_side_by_side(work, current_identity(), query.get("district_id"))
