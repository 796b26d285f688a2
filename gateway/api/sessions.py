"""登录设备 / 会话管理 and 修改密码: every logged-in person, about their own account only."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers
from common.identity import ROLES
from common.schema import BaseSchema, Timestamp
from common.web import roles, uow
from gateway import auth
from gateway.api.auth import client_ip
from gateway.handlers import sessions

blp = Blueprint(
    "sessions", __name__, url_prefix="/api/v1/auth", description="登录设备（会话管理）与修改密码：只涉及本人账号"
)


class SessionOut(BaseSchema):
    id = fields.String(metadata={"description": "会话标识（用于结束该会话；不是登录凭证）"})
    kind = fields.String(metadata={"description": "cookie：浏览器；bearer：API 客户端令牌"})
    created_at = Timestamp(metadata={"description": "登录时间"})
    last_seen_at = Timestamp(metadata={"description": "最近活动（每分钟至多更新一次）"})
    expires_at = Timestamp()
    user_agent = fields.String(allow_none=True, metadata={"description": "登录时的浏览器或客户端"})
    ip = fields.String(allow_none=True, metadata={"description": "登录时的地址"})
    current = fields.Boolean(metadata={"description": "是否为发出本请求的会话"})


class EndedOut(BaseSchema):
    ended = fields.Integer(metadata={"description": "结束的会话数"})


class PasswordIn(BaseSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class OkOut(BaseSchema):
    ok = fields.Boolean()


@blp.route("/sessions")
class Sessions(MethodView):
    @roles(*ROLES)
    @blp.response(200, SessionOut(many=True))
    def get(self):
        """本人的登录会话（浏览器与 API 令牌）：登录时间、最近活动、客户端、是否当前会话."""
        with uow() as work:
            return sessions.list_sessions(work, auth.current_caller())


@blp.route("/sessions/end-others", methods=["POST"])
@roles(*ROLES)
@blp.response(200, EndedOut)
def end_others():
    """结束本人的其他所有会话（保留当前会话）."""
    with uow() as work:
        return {"ended": sessions.end_other_sessions(work, auth.current_caller())}


@blp.route("/sessions/<session_id>", methods=["DELETE"])
@roles(*ROLES)
@blp.response(204)
def end_one(session_id):
    """结束本人的一个会话（结束当前会话即注销）. Another person's or an unknown id: 404."""
    with uow() as work:
        sessions.end_session(work, auth.current_caller(), session_id)


@blp.route("/password", methods=["POST"])
@roles(*ROLES)
@blp.arguments(PasswordIn)
@blp.response(200, OkOut)
@answers(429)
def change_password(data):
    """修改本人密码：须提供当前密码；成功后本账号的所有会话与令牌（包括当前的）立即失效，请重新登录."""
    with uow() as work:
        sessions.change_own_password(
            work, auth.current_caller(), data["current_password"], data["new_password"], client_ip()
        )
    return {"ok": True}
