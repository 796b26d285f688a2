"""HTTP entry points for prices: price tables (centre), premium splits (district), rates."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.errors import ValidationFailed
from common.schema import BaseSchema
from common.web import audit_subject, current_identity, roles, uow
from services.billing.api.schemas import PER_PERSON_MAX_FEN, Id, Yuan
from services.billing.domain.prices import COVER_TYPES, PRICE_CLASSES, Price
from services.billing.domain.split import Shares
from services.billing.handlers import prices, quotes, split_proposals, splits

blp = Blueprint("prices", __name__, description="保障价格表、参保金额比例设置（保障金额分摊）与每人费率")


class PriceIn(BaseSchema):
    type = fields.String(required=True, validate=validate.OneOf(COVER_TYPES))
    price_class = fields.String(
        required=True,
        validate=validate.OneOf(PRICE_CLASSES),
        metadata={
            "description": "centralised 集中参保 / instant_first_half 上半年办卡即时参保 / "
            "instant_second_half 下半年办卡即时参保"
        },
    )
    premium = Yuan(required=True, max_fen=PER_PERSON_MAX_FEN, metadata={"description": '参保费用（元/人），如 "26.00"'})
    city_subsidy = Yuan(required=True, max_fen=PER_PERSON_MAX_FEN, metadata={"description": "市总统一划拨（元/人）"})
    special_city_subsidy = Yuan(
        required=True, max_fen=PER_PERSON_MAX_FEN, metadata={"description": "特殊行业市总补贴（元/人）"}
    )


class PriceTableIn(BaseSchema):
    entries = fields.List(fields.Nested(PriceIn), required=True, validate=validate.Length(min=1))


class PriceOut(BaseSchema):
    type = fields.String()
    price_class = fields.String()
    premium_fen = fields.Integer()
    city_subsidy_fen = fields.Integer()
    special_city_subsidy_fen = fields.Integer()


class PriceTableOut(BaseSchema):
    cover_year = fields.Integer()
    version = fields.Integer()
    entries = fields.List(fields.Nested(PriceOut))


class SharesIn(BaseSchema):
    district_share = Yuan(
        required=True, max_fen=PER_PERSON_MAX_FEN, metadata={"description": "区局/各级工会缴纳（元/人，全年）"}
    )
    grassroots_share = Yuan(
        required=True, max_fen=PER_PERSON_MAX_FEN, metadata={"description": "基层单位缴纳（元/人，全年）"}
    )


class SplitIn(BaseSchema):
    types = fields.Dict(
        keys=fields.String(validate=validate.OneOf(COVER_TYPES)),
        values=fields.Nested(SharesIn),
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": '按保障类型：{"A+": {"district_share": "63.00", "grassroots_share": "0"}}'},
    )


class SplitOut(BaseSchema):
    union_id = fields.Integer(allow_none=True)
    type = fields.String()
    premium_fen = fields.Integer()
    city_subsidy_fen = fields.Integer()
    district_share_fen = fields.Integer(allow_none=True)
    grassroots_share_fen = fields.Integer(allow_none=True)
    version = fields.Integer()


class SplitQuery(BaseSchema):
    district_id = Id()


class RateOut(BaseSchema):
    type = fields.String()
    price_class = fields.String()
    premium_fen = fields.Integer()
    city_subsidy_fen = fields.Integer()
    district_share_fen = fields.Integer()
    grassroots_share_fen = fields.Integer()


class RatesOut(BaseSchema):
    cover_year = fields.Integer()
    district_id = fields.Integer()
    union_id = fields.Integer(allow_none=True)
    rates = fields.List(fields.Nested(RateOut))


class RatesQuery(BaseSchema):
    union_id = Id()


class QuoteIn(BaseSchema):
    type = fields.String(required=True, validate=validate.OneOf(COVER_TYPES))
    counts = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PRICE_CLASSES)),
        values=fields.Integer(validate=validate.Range(min=0, max=10_000_000)),
        required=True,
        metadata={"description": '按计价类别的人数，如 {"centralised": 8}'},
    )
    union_id = Id(metadata={"description": "区局、市职保中心须指定基层工会；基层工会为本会"})


class QuoteOut(BaseSchema):
    cover_year = fields.Integer()
    type = fields.String()
    union_id = fields.Integer(allow_none=True)
    district_id = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    headcount = fields.Integer()
    premium_fen = fields.Integer(metadata={"description": "保障费用（分）"})
    city_subsidy_fen = fields.Integer(metadata={"description": "市总统一划拨（分）"})
    district_share_fen = fields.Integer(metadata={"description": "区局/各级工会缴费（分）"})
    grassroots_share_fen = fields.Integer(metadata={"description": "基层单位缴费（分）"})
    union_share_fen = fields.Integer(metadata={"description": "工会承担 = 保障费用 − 市总统一划拨（分）"})


def _table(entries: list[dict]) -> dict:
    table, seen = {}, set()
    for entry in entries:
        key = (entry["type"], entry["price_class"])
        if key in seen:
            raise ValidationFailed({f"{key[0]}.{key[1]}": ["重复的价格项"]})
        seen.add(key)
        table[key] = Price(entry["premium"], entry["city_subsidy"], entry["special_city_subsidy"])
    return table


def _shares(types: dict) -> dict:
    return {t: Shares(v["district_share"], v["grassroots_share"]) for t, v in types.items()}


@blp.route("/price-tables/<int(min=2000, max=2100):year>")
class PriceTable(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.response(200, PriceTableOut)
    def get(self, year):
        """保障价格表: per type and price class, premium and city subsidy (fen)."""
        with uow() as work:
            return prices.get_price_table(work, year)

    @roles("centre")
    @blp.arguments(PriceTableIn)
    @blp.response(200, PriceTableOut)
    def put(self, data, year):
        """设置保障价格表 (centre): all 4 types × 3 price classes; fixed once districts have split."""
        audit_subject(f"{year}年度")
        with uow() as work:
            prices.set_price_table(work, current_identity(), year, _table(data["entries"]))
            return prices.get_price_table(work, year)


@blp.route("/splits/<int(min=2000, max=2100):year>")
class Splits(MethodView):
    @roles("centre", "district")
    @blp.arguments(SplitQuery, location="query")
    @blp.response(200, SplitOut(many=True))
    def get(self, query, year):
        """保障金额设置: the district's shares per type and its union overrides."""
        with uow() as work:
            return splits.list_splits(work, current_identity(), year, query.get("district_id"))

    @roles("district")
    @blp.arguments(SplitIn)
    @blp.response(200, SplitOut(many=True))
    def put(self, data, year):
        """参保金额比例设置 (district, in the split window): its share and the grassroots default."""
        audit_subject(f"{year}年度")
        with uow() as work:
            splits.set_split(work, current_identity(), year, _shares(data["types"]))
            return splits.list_splits(work, current_identity(), year)


class SplitProposalOut(BaseSchema):
    union_id = fields.Integer(allow_none=True, metadata={"description": "空为区局默认设置，否则为该基层工会的单独设置"})
    type = fields.String()
    district_share_fen = fields.Integer(metadata={"description": "建议的区局缴纳（分/人）"})
    grassroots_share_fen = fields.Integer(metadata={"description": "建议的基层缴纳（分/人）"})
    last_district_share_fen = fields.Integer(metadata={"description": "上年度区局缴纳（分/人）"})
    last_grassroots_share_fen = fields.Integer(metadata={"description": "上年度基层缴纳（分/人）"})
    saved_this_year = fields.Boolean(metadata={"description": "本年度是否已保存该项（已保存则以本年度为准）"})
    why = fields.String(metadata={"description": "建议的来由：沿用，或因价格变化而调整"})


class SplitProposalsOut(BaseSchema):
    cover_year = fields.Integer()
    from_year = fields.Integer()
    district_id = fields.Integer()
    proposals = fields.List(fields.Nested(SplitProposalOut))


@blp.route("/splits/<int(min=2000, max=2100):year>/proposal")
class SplitProposal(MethodView):
    @roles("centre", "district")
    @blp.arguments(SplitQuery, location="query")
    @blp.response(200, SplitProposalsOut)
    def get(self, query, year):
        """上年度比例（建议）: last year's split of the district proposed for this year's prices,
        not saved; the district saves it as is or changed with PUT /splits/{year}."""
        with uow() as work:
            return split_proposals.propose_split(work, current_identity(), year, query.get("district_id"))


@blp.route("/splits/<int(min=2000, max=2100):year>/unions/<int(max=2147483647):union_id>")
class UnionSplit(MethodView):
    @roles("district")
    @blp.arguments(SplitIn)
    @blp.response(200, SplitOut(many=True))
    def put(self, data, year, union_id):
        """基层缴费设置 for one of the district's grassroots unions (override)."""
        audit_subject(f"{year}年度")
        with uow() as work:
            splits.set_split(work, current_identity(), year, _shares(data["types"]), union_id=union_id)
            return splits.list_splits(work, current_identity(), year)


@blp.route("/rates/<int(min=2000, max=2100):year>")
class Rates(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(RatesQuery, location="query")
    @blp.response(200, RatesOut)
    def get(self, query, year):
        """每人费率: what one member costs and who pays it, per type and price class."""
        with uow() as work:
            return quotes.rates_for_caller(work, current_identity(), year, query.get("union_id"))


@blp.route("/quotes/<int(min=2000, max=2100):year>")
class Quotes(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(QuoteIn)
    @blp.response(200, QuoteOut)
    def post(self, data, year):
        """试算: what these headcounts would cost under today's rates — the same pricing a
        submission gets when it is submitted (the confirmation screen's totals)."""
        with uow() as work:
            return quotes.quote(work, current_identity(), year, data["type"], data["counts"], data.get("union_id"))
