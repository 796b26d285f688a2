"""My details (issue 29 item 5, docs/decisions/0047-member-details-corrections.md): a member
signed in by code asks for a code to a new mobile, and submits the corrected address and mobile
(with that code), which members keeps as a pending change for the union. The member is the
session's; nothing in the request names one. Served by the gateway itself (it holds the codes),
under /api/v1/me/, before the catch-all forwarding."""

from __future__ import annotations

from flask import g, jsonify
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers
from common.identity import MEMBER
from common.schema import BaseSchema, Timestamp
from common.web import roles, uow
from gateway import auth
from gateway.api.auth import client_ip
from gateway.domain import member_codes as rules
from gateway.handlers import member_details

blp = Blueprint("member_details", __name__, url_prefix="/api/v1/me", description="会员本人更正联系地址与手机号码")


class MobileCodeIn(BaseSchema):
    mobile = fields.String(
        required=True, validate=validate.Length(min=1, max=20), metadata={"description": "新的手机号码"}
    )


class MobileCodeOut(BaseSchema):
    message = fields.String()
    resend_after = fields.Integer(metadata={"description": "seconds before another code may be asked for"})


class DetailChangeIn(BaseSchema):
    address = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=400), metadata={"description": "联系地址"}
    )
    mobile = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "新的手机号码（不变则留空）；须附该号码收到的验证码"},
    )
    code = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=10), metadata={"description": "6 位验证码"}
    )


class DetailChangeOut(BaseSchema):
    id = fields.Integer()
    state = fields.String(metadata={"description": "pending：待单位确认"})
    state_text = fields.String()
    new_address = fields.String(allow_none=True)
    new_mobile = fields.String(allow_none=True, metadata={"description": "脱敏"})
    reason = fields.String(allow_none=True)
    submitted_at = Timestamp()
    decided_at = Timestamp(allow_none=True)


@blp.route("/mobile-codes", methods=["POST"])
@roles(MEMBER)
@blp.arguments(MobileCodeIn)
@blp.response(200, MobileCodeOut)
@answers(429)
def mobile_code(data):
    """获取验证码（更正手机号码）：向新的手机号码发送 6 位验证码（5 分钟内有效，可试 5 次）；
    同一会员每分钟 1 次、每小时 5 次，同一地址每小时 20 次（与个人登录验证码合计），超过为 429."""
    with uow() as work:
        message = member_details.request_mobile_code(work, auth.current_caller(), data["mobile"], client_ip())
    return {"message": message, "resend_after": int(rules.RESEND_AFTER.total_seconds())}


@blp.route("/detail-changes", methods=["POST"])
@roles(MEMBER)
@blp.arguments(DetailChangeIn)
@blp.response(201, DetailChangeOut)
@answers(404, 409, 429, 503)
def submit(data):
    """提交信息变更：联系地址与/或手机号码（新号码须附验证码）；提交后待所在工会确认（待单位确认），
    再次提交即替代未确认的一次。验证码错误或失效：422 MEMBER_CODE_INVALID."""
    g.audit_subject = "本人联系地址/手机号码"
    with uow() as work:
        status, body = member_details.submit(
            work, auth.current_caller(), data["address"], data["mobile"], data["code"], client_ip(), g.request_id
        )
    response = jsonify(body)
    response.status_code = status
    return response
