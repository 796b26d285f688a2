"""HTTP entry points for cover years (保障年度) and their timeline: /cover-years."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

from common.schema import BaseSchema
from common.web import current_identity, roles, uow
from services.enrollment.domain.timeline import (
    DEFAULT_INSTANT_PAYMENT_DAYS,
    INSTANT_PAYMENT_DAYS_RANGE,
    INSTANT_PAYMENT_LABEL,
)
from services.enrollment.handlers import cover_years

blp = Blueprint("cover_years", __name__, description="保障年度与时间安排（市职保中心配置）")

WINDOWS = {
    "split_window": "参保金额比例设置",
    "grassroots_window": "基层集中参保办理",
    "district_review_window": "区局集中参保审核",
    "district_submit_window": "区局提交至市职保中心",
}


def _window(description: str):
    return fields.List(fields.Date(), required=True, metadata={"description": f"{description}：[开始日, 结束日]（含）"})


class CoverYearIn(BaseSchema):
    split_window = _window(WINDOWS["split_window"])
    grassroots_window = _window(WINDOWS["grassroots_window"])
    district_review_window = _window(WINDOWS["district_review_window"])
    district_submit_window = _window(WINDOWS["district_submit_window"])
    card_cutoff = fields.Date(required=True, metadata={"description": "办卡截止日：此日前办卡者进入集中参保"})
    cover_start = fields.Date(required=True, metadata={"description": "起保日期（即时参保同日开放）"})
    cover_end = fields.Date(required=True, metadata={"description": "终保日期"})
    payment_deadline = fields.Date(required=True, metadata={"description": "区局缴费截止日"})
    claims_deadline = fields.Date(required=True, metadata={"description": "理赔截止日"})
    instant_payment_days = fields.Integer(
        load_default=None,
        validate=validate.Range(*INSTANT_PAYMENT_DAYS_RANGE, error="应为 {min} 至 {max} 天"),
        metadata={
            "description": f"{INSTANT_PAYMENT_LABEL}：基层工会在即时参保提交后、区局在即时参保批次（JB）提交后"
            f"多少天内划款；不填则保持原设置（新年度默认 {DEFAULT_INSTANT_PAYMENT_DAYS} 天）"
        },
    )

    @validates_schema
    def _pairs(self, data, **_):
        errors = {name: ["应为 [开始日, 结束日] 两个日期"] for name in WINDOWS if name in data and len(data[name]) != 2}
        if errors:
            raise ValidationError(errors)


class Deadline(BaseSchema):
    key = fields.String(
        metadata={
            "description": "split_end / grassroots_end / district_submit_end / card_cutoff / "
            "payment_deadline / claims_deadline"
        }
    )
    label = fields.String(metadata={"description": "截止事项名称，如 区局缴费至市职保中心截止"})
    date = fields.Date()
    roles = fields.List(fields.String(), metadata={"description": "须在此前办理的角色"})
    days_left = fields.Integer(metadata={"description": "按系统时钟距截止日的天数（负数为已过）"})


class CoverYearOut(BaseSchema):
    cover_year = fields.Integer()
    split_window = fields.List(fields.String())
    grassroots_window = fields.List(fields.String())
    district_review_window = fields.List(fields.String())
    district_submit_window = fields.List(fields.String())
    card_cutoff = fields.String()
    cover_start = fields.String()
    cover_end = fields.String()
    payment_deadline = fields.String()
    claims_deadline = fields.String()
    instant_payment_days = fields.Integer(metadata={"description": INSTANT_PAYMENT_LABEL})
    version = fields.Integer()
    today = fields.Date(metadata={"description": "系统时钟的今天（上海时间）"})
    started = fields.Boolean(metadata={"description": "本年度比例设置期已开始"})
    active = fields.Boolean(metadata={"description": "今天在本年度的办理期至终保日之间"})
    deadlines = fields.List(
        fields.Nested(Deadline), metadata={"description": "各项截止日（按日期排序），每项有自己的名称"}
    )


@blp.route("/cover-years")
class CoverYears(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.response(200, CoverYearOut(many=True))
    def get(self):
        """保障年度列表 (newest first)."""
        with uow() as work:
            return [cover_years.cover_year_view(r) for r in cover_years.list_cover_years(work, current_identity())]


@blp.route("/cover-years/<int:cover_year>")
class CoverYearItem(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.response(200, CoverYearOut)
    def get(self, cover_year):
        """一个保障年度的时间安排."""
        with uow() as work:
            return cover_years.cover_year_view(cover_years.get_cover_year_row(work, current_identity(), cover_year))

    @roles("centre")
    @blp.arguments(CoverYearIn)
    @blp.response(200, CoverYearOut)
    def put(self, data, cover_year):
        """配置保障年度时间安排 (centre); publishes enrollment.cover_year.configured."""
        with uow() as work:
            return cover_years.cover_year_view(
                cover_years.configure_cover_year(work, current_identity(), cover_year, data)
            )


class ProposedDateOut(BaseSchema):
    key = fields.String(metadata={"description": "表单字段：split_window.0 / card_cutoff / payment_deadline …"})
    label = fields.String(metadata={"description": "日期名称，如 参保金额比例设置开始"})
    this_year = fields.Date(metadata={"description": "本年度的日期"})
    proposed = fields.Date(metadata={"description": "下一年度的建议日期"})
    weekday = fields.String(metadata={"description": "建议日期是周几"})
    moved = fields.Boolean(metadata={"description": "是否因周末而调整（否则只是顺延一年）"})
    why = fields.String(metadata={"description": "建议日期的来由"})


class PatternCheckOut(BaseSchema):
    label = fields.String(metadata={"description": "指南的时间顺序之一"})
    ok = fields.Boolean()


class ProposedTimeline(BaseSchema):
    split_window = fields.List(fields.Date())
    grassroots_window = fields.List(fields.Date())
    district_review_window = fields.List(fields.Date())
    district_submit_window = fields.List(fields.Date())
    card_cutoff = fields.Date()
    cover_start = fields.Date()
    cover_end = fields.Date()
    payment_deadline = fields.Date()
    claims_deadline = fields.Date()
    instant_payment_days = fields.Integer()


class NextYearOut(BaseSchema):
    cover_year = fields.Integer(metadata={"description": "建议开启的年度"})
    from_year = fields.Integer(metadata={"description": "据以建议的本年度"})
    timeline = fields.Nested(ProposedTimeline, metadata={"description": "与“配置保障年度”相同形状，可直接核对后保存"})
    dates = fields.List(fields.Nested(ProposedDateOut))
    checks = fields.List(fields.Nested(PatternCheckOut), metadata={"description": "指南的时间顺序是否保持"})


@blp.route("/cover-years/<int(min=2000, max=2099):cover_year>/next")
class NextCoverYear(MethodView):
    @roles("centre")
    @blp.response(200, NextYearOut)
    def get(self, cover_year):
        """开启下一年度（建议）: next year's timeline proposed from this one, not saved; the centre
        reviews and changes it, then saves it with PUT /cover-years/{next}."""
        with uow() as work:
            return cover_years.propose_next_cover_year(work, current_identity(), cover_year)
