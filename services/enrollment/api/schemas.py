"""Marshmallow pieces shared by enrollment's enrolment blueprints: the common fields, billing's
totals, a window and a submission as listed."""

from __future__ import annotations

from marshmallow import fields, validate

from common.schema import BaseSchema, Timestamp
from services.enrollment.domain.enrolment import COVER_TYPES, INSTANT_KINDS, MODES

_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100), metadata={"description": "保障年度"})


_mode = fields.String(
    load_default="centralised",
    validate=validate.OneOf(MODES),
    metadata={"description": "centralised 集中参保 / instant 即时参保"},
)


_kind = fields.String(
    validate=validate.OneOf(INSTANT_KINDS),
    metadata={"description": "即时参保：no_cover 有卡无保人员 / new_card 新办卡人员"},
)


_type = fields.String(validate=validate.OneOf(COVER_TYPES), metadata={"description": "保障类型 A / A+ / B / B+"})


class Totals(BaseSchema):
    headcount = fields.Integer(metadata={"description": "参保人数"})
    premium_fen = fields.Integer(metadata={"description": "保障费用（分）"})
    city_subsidy_fen = fields.Integer(metadata={"description": "市总统一划拨（分）"})
    district_share_fen = fields.Integer(metadata={"description": "区局/各级工会缴费（分）"})
    grassroots_share_fen = fields.Integer(metadata={"description": "基层单位缴费（分）"})


class Window(BaseSchema):
    start = fields.Date()
    end = fields.Date()
    open = fields.Boolean()


class MemberRow(BaseSchema):
    member_id = fields.Integer()
    name = fields.String(metadata={"description": "姓名"})
    id_type = fields.String(metadata={"description": "证件类型 resident 身份证 / other 其他"})
    id_number = fields.String(metadata={"description": "证件号码（隐去中间位，如 3101**********1234）"})
    card_number = fields.String(metadata={"description": "银行卡号（会员服务卡号，隐去中间位）"})
    cover_start = fields.Date(metadata={"description": "起保日期"})
    cover_end = fields.Date(metadata={"description": "终保日期"})
    price_class = fields.String()
    half_or_full = fields.String(metadata={"description": "半年/全年"})
    status = fields.String()
    asked_at = Timestamp(
        allow_none=True, metadata={"description": "本人已申请参保（个人参保申请，待单位办理）的时间；未申请为 null"}
    )


class SubmissionOut(BaseSchema):
    id = fields.Integer()
    union_id = fields.Integer()
    union_name = fields.String(allow_none=True)
    credit_code = fields.String(allow_none=True, metadata={"description": "组织机构代码"})
    district_id = fields.Integer()
    cover_year = fields.Integer()
    mode = fields.String()
    kind = fields.String(allow_none=True)
    type = fields.String()
    status = fields.String(metadata={"description": "submitted/returned/staged/in_batch/paid/failed"})
    status_text = fields.String()
    headcount = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    sequence = fields.Integer()
    submitted_at = Timestamp()
    updated_at = Timestamp()
    return_reason = fields.String(allow_none=True)
    returned_at = Timestamp(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    batch_no = fields.String(allow_none=True, metadata={"description": "批次编号（已提交市职保中心后）"})
    totals = fields.Nested(Totals, allow_none=True, metadata={"description": "计费服务的计价结果；计价完成前为空"})
    priced = fields.Boolean(metadata={"description": "计费服务是否已计价"})
    pay_by = fields.Date(allow_none=True, metadata={"description": "基层工会划款至区局截止日（计费服务）"})


class SubmissionDetail(SubmissionOut):
    members = fields.List(fields.Nested(MemberRow))
    members_total = fields.Integer(metadata={"description": "符合查询条件的人数（分页用）"})


class Empty(BaseSchema):
    pass
