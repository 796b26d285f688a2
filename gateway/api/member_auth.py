"""个人登录: a member asks for a one-time code (sent to the mobile on record) and signs in with it
(docs/decisions/0041-member-sign-in.md). For people who are not logged in; the ID number and the
mobile travel only in request bodies."""

from __future__ import annotations

from flask import g, jsonify, make_response, request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers
from common.pii import mask_id
from common.schema import BaseSchema
from common.web import uow
from gateway import auth
from gateway.api.auth import AccountBrief, account_view, client_ip, set_session_cookie, token_body
from gateway.domain import member_codes as rules
from gateway.handlers import member_sign_in

blp = Blueprint("member_auth", __name__, url_prefix="/api/v1/auth/member", description="个人登录（会员本人，验证码）")


class CodeIn(BaseSchema):
    id_number = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"description": "证件号码"}
    )
    mobile = fields.String(
        required=True, validate=validate.Length(min=1, max=20), metadata={"description": "登记的手机号码"}
    )


class CodeOut(BaseSchema):
    message = fields.String(metadata={"description": "无论该人员是否登记、号码是否一致，答复都相同"})
    resend_after = fields.Integer(metadata={"description": "seconds before another code may be asked for"})


class SignInIn(BaseSchema):
    id_number = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"description": "证件号码"}
    )
    code = fields.String(required=True, validate=validate.Length(min=1, max=10), metadata={"description": "6 位验证码"})
    session = fields.Boolean(
        load_default=False,
        metadata={"description": "true: 浏览器会话（设置 HttpOnly Cookie 并返回 CSRF 令牌）; false: 返回 Bearer 令牌"},
    )


class SignInOut(BaseSchema):
    access_token = fields.String(metadata={"description": "session false: send as `Authorization: Bearer …`"})
    token_type = fields.String(metadata={"description": "Bearer"})
    expires_in = fields.Integer(metadata={"description": "seconds"})
    refresh_token = fields.String(metadata={"description": "session false: trade it at POST /api/v1/auth/refresh"})
    refresh_expires_in = fields.Integer(metadata={"description": "seconds until the session's absolute end"})
    csrf_token = fields.String(metadata={"description": "session true: echo in X-CSRF-Token on every change"})
    account = fields.Nested(AccountBrief)


@blp.route("/code", methods=["POST"])
@blp.arguments(CodeIn)
@blp.response(200, CodeOut)
@answers(429)
def request_code(data):
    """获取验证码：证件号码与登记的手机号码一致时，向该手机发送 6 位验证码（5 分钟内有效，可试 5 次）.
    The answer is the same whether or not they match; one code a minute and 5 an hour for one ID
    number, 20 an hour from one address (429 MEMBER_CODE_THROTTLED with Retry-After)."""
    g.audit_subject = f"证件号码 {mask_id(rules.normalise_id(data['id_number']))}"
    with uow() as work:
        message = member_sign_in.request_code(work, data["id_number"], data["mobile"], client_ip(), g.request_id)
    return {"message": message, "resend_after": int(rules.RESEND_AFTER.total_seconds())}


@blp.route("/sign-in", methods=["POST"])
@blp.arguments(SignInIn)
@blp.response(200, SignInOut)
@answers(429)
def sign_in(data):
    """个人登录：以证件号码和验证码登录（会话 30 分钟）. A wrong, used, expired or unknown code:
    MEMBER_CODE_INVALID (422), the same for all; a code is used up after 5 wrong tries."""
    g.audit_subject = f"证件号码 {mask_id(rules.normalise_id(data['id_number']))}"
    with uow() as work:
        account = member_sign_in.sign_in(work, data["id_number"], data["code"], client_ip())
        g.audit_user = auth.AccountView.of(account)
        brief = account_view(account)
        user_agent = request.headers.get("User-Agent")
        started = auth.start_member_session(work.session, account, not data["session"], user_agent, client_ip())
        cookie = None if isinstance(started, auth.Tokens) else (started.id, started.csrf_token)
        work.commit()
    if cookie is None:
        assert isinstance(started, auth.Tokens)
        return {**token_body(started), "account": brief}
    response = make_response(jsonify({"account": brief, "csrf_token": cookie[1]}))
    set_session_cookie(response, cookie[0])
    return response
