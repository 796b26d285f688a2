"""找回密码 and setting a password by a one-time link (activation or reset): for people who are
not logged in. The token travels only in request bodies, never in a URL
(docs/decisions/0035-activation-links.md)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers
from common.schema import BaseSchema, Timestamp
from common.web import uow
from gateway.api.auth import client_ip
from gateway.handlers import account_links

blp = Blueprint(
    "password_links", __name__, url_prefix="/api/v1/auth", description="找回密码与通过一次性链接设置密码（无需登录）"
)


class ResetIn(BaseSchema):
    login = fields.String(
        required=True,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "用户名或登记的电子邮箱"},
    )


class ResetOut(BaseSchema):
    message = fields.String(metadata={"description": "无论该用户是否存在，答复都相同"})


class TokenIn(BaseSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class LinkOut(BaseSchema):
    username = fields.String()
    display_name = fields.String()
    purpose = fields.String(metadata={"description": "activate：激活新账号；reset：重设密码"})
    expires_at = Timestamp()


class SetPasswordIn(TokenIn):
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class SetOut(BaseSchema):
    username = fields.String()


@blp.route("/password-reset", methods=["POST"])
@blp.arguments(ResetIn)
@blp.response(200, ResetOut)
@answers(429)
def request_reset(data):
    """找回密码：向该用户名或邮箱登记的账号发送重设密码链接（2 小时内有效）. The answer is the same
    whether or not the account exists; an address may ask 5 times an hour, an account is sent at
    most 3 links an hour."""
    with uow() as work:
        return {"message": account_links.request_reset(work, data["login"], client_ip())}


@blp.route("/link")
class Link(MethodView):
    @blp.arguments(TokenIn)
    @blp.response(200, LinkOut)
    def post(self, data):
        """查看一次性链接：属于哪个账号、用途与有效期（令牌在请求体中，不在网址中）. An unknown, used or
        expired link: 422 LINK_INVALID."""
        with uow() as work:
            return account_links.link_facts(work, data["token"])


@blp.route("/link/password", methods=["POST"])
@blp.arguments(SetPasswordIn)
@blp.response(200, SetOut)
def set_password(data):
    """通过一次性链接设置密码：激活链接同时启用账号；链接随即失效，该账号的所有会话结束. The password
    must be 10+ characters of two kinds, not hold the user's names, not be a common one."""
    with uow() as work:
        account = account_links.set_password(work, data["token"], data["new_password"])
        g.audit_user = account
        g.audit_subject = f"{account.username}（{account.display_name}）"
        return {"username": account.username}
