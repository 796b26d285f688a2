"""Settlement credits (清算分配款): the list, one recorded, many imported from a workbook."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import file_upload
from common.schema import BaseSchema, Timestamp
from common.web import current_identity, roles, uow
from services.billing.api.schemas import Id, Yuan, file_from_request
from services.billing.handlers import settlement_credits

blp = Blueprint("settlement-credits", __name__, description="清算分配款")


class CreditIn(BaseSchema):
    district_id = Id(required=True)
    source_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    designated_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    amount = Yuan(required=True)
    memo = fields.String(load_default="", validate=validate.Length(max=200))


class CreditOut(BaseSchema):
    id = fields.Integer()
    district_id = fields.Integer()
    source_year = fields.Integer()
    designated_year = fields.Integer()
    amount_fen = fields.Integer()
    memo = fields.String()
    recorded_at = Timestamp()
    source_batch_id = fields.Integer(allow_none=True, metadata={"description": "来源：该批次的多缴（转为抵扣款）"})


class CreditQuery(BaseSchema):
    district_id = Id()


@blp.route("/credits")
class Credits(MethodView):
    @roles("centre", "district")
    @blp.arguments(CreditQuery, location="query")
    @blp.response(200, CreditOut(many=True))
    def get(self, query):
        """清算分配款 (district: its own)."""
        with uow() as work:
            return settlement_credits.list_credits(work, current_identity(), query.get("district_id"))

    @roles("centre")
    @blp.arguments(CreditIn)
    @blp.response(201, CreditOut)
    def post(self, data):
        """登记一笔清算分配款 (centre)."""
        with uow() as work:
            return settlement_credits.record_credit(
                work,
                current_identity(),
                data["district_id"],
                data["designated_year"],
                data["source_year"],
                data["amount"],
                data["memo"],
            )


class CreditSourceOut(BaseSchema):
    credit_id = fields.Integer()
    source_year = fields.Integer(metadata={"description": "清算年度（或多缴批次的年度）"})
    designated_year = fields.Integer(metadata={"description": "原指定抵扣年度"})
    source_batch_no = fields.String(allow_none=True, metadata={"description": "来源：该批次的多缴"})
    amount_fen = fields.Integer()
    used_fen = fields.Integer(metadata={"description": "已用于抵扣（按指定年度先后计）"})
    left_fen = fields.Integer(metadata={"description": "尚可抵扣"})
    carried = fields.Boolean(metadata={"description": "由更早年度结转"})
    source = fields.String(
        metadata={"description": "来源说明，如 2018 年度清算分配款（原指定 2020 年度抵扣，未用完结转）"}
    )
    said = fields.String(metadata={"description": "来源说明与金额"})


class CreditSourcesOut(BaseSchema):
    cover_year = fields.Integer()
    district_id = fields.Integer()
    available_fen = fields.Integer(metadata={"description": "可抵扣本年度集中参保款项的总额"})
    sources = fields.List(fields.Nested(CreditSourceOut))


@blp.route("/credits/available/<int(min=2000, max=2100):year>")
class CreditSources(MethodView):
    @roles("centre", "district")
    @blp.arguments(CreditQuery, location="query")
    @blp.response(200, CreditSourcesOut)
    def get(self, query, year):
        """可抵扣金额及其来源: each credit usable against the year with what is left and where it
        comes from (a settlement, a batch's over-payment), carried ones said so."""
        with uow() as work:
            return settlement_credits.credit_sources(work, current_identity(), year, query.get("district_id"))


@blp.route("/credits/import")
class CreditImport(MethodView):
    @roles("centre")
    @file_upload()
    @blp.response(201, CreditOut(many=True))
    def post(self):
        """从 Excel 导入清算分配款 (centre; columns 区局（产业）工会, 清算年度, 抵扣年度, 金额, 备注): all or nothing."""
        content, _ = file_from_request()
        with uow() as work:
            return settlement_credits.import_credits(work, current_identity(), content)
