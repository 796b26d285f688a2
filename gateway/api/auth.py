"""Login and logout, for API clients (bearer token) and browsers (session cookie)."""

from __future__ import annotations

from flask import g, jsonify, make_response, request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers
from common.schema import BaseSchema
from gateway import auth
from gateway.app_state import db_session

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录与注销")


class LoginIn(BaseSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    session = fields.Boolean(
        load_default=False,
        metadata={"description": "true: 浏览器会话（设置 HttpOnly Cookie 并返回 CSRF 令牌）; false: 返回 Bearer 令牌"},
    )


class AccountBrief(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String(metadata={"description": "centre / district / grassroots"})
    union_id = fields.Integer(allow_none=True)
    district_id = fields.Integer(allow_none=True)


class LoginOut(BaseSchema):
    """A bearer token and its refresh token (session false), or the browser session's CSRF token
    (session true)."""

    access_token = fields.String(metadata={"description": "session false: send as `Authorization: Bearer …`"})
    token_type = fields.String(metadata={"description": "Bearer"})
    expires_in = fields.Integer(metadata={"description": "seconds"})
    refresh_token = fields.String(
        metadata={"description": "session false: trade it at POST /api/v1/auth/refresh for a new pair (once)"}
    )
    refresh_expires_in = fields.Integer(metadata={"description": "seconds until the session's absolute end"})
    csrf_token = fields.String(metadata={"description": "session true: echo in X-CSRF-Token on every change"})
    account = fields.Nested(AccountBrief)


class RefreshIn(BaseSchema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class RefreshOut(BaseSchema):
    access_token = fields.String()
    token_type = fields.String(metadata={"description": "Bearer"})
    expires_in = fields.Integer(metadata={"description": "seconds"})
    refresh_token = fields.String(metadata={"description": "the next refresh token; the one sent is spent"})
    refresh_expires_in = fields.Integer(metadata={"description": "seconds until the session's absolute end"})
    account = fields.Nested(AccountBrief)


class MeOut(BaseSchema):
    account = fields.Nested(AccountBrief)
    csrf_token = fields.String(metadata={"description": "a browser session's CSRF token"})


class LoggedOut(BaseSchema):
    ok = fields.Boolean()


def account_view(account) -> dict:
    return {
        "id": account.id,
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "union_id": account.union_id,
        "district_id": account.district_id,
    }


def client_ip() -> str:
    return request.remote_addr or "unknown"


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
@answers(429)
def login(data):
    """登录. Returns a bearer token (API clients) or sets the session cookie (browsers)."""
    session = db_session()
    account = auth.check_login(session, data["username"].strip(), data["password"], client_ip())
    g.audit_user = account
    user_agent = request.headers.get("User-Agent")
    if data["session"]:
        web = auth.start_web_session(session, account, user_agent, client_ip())
        session.commit()
        response = make_response(jsonify({"account": account_view(account), "csrf_token": web.csrf_token}))
        set_session_cookie(response, web.id)
        return response
    tokens = auth.issue_token(session, account, user_agent, client_ip())
    session.commit()
    return {**token_body(tokens), "account": account_view(account)}


def token_body(tokens: auth.Tokens) -> dict:
    return {
        "access_token": tokens.access_token,
        "token_type": "Bearer",
        "expires_in": tokens.expires_in,
        "refresh_token": tokens.refresh_token,
        "refresh_expires_in": tokens.refresh_expires_in,
    }


@blp.route("/refresh", methods=["POST"])
@blp.arguments(RefreshIn)
@blp.response(200, RefreshOut)
def refresh(data):
    """续期: trade a refresh token for a new access token and a new refresh token, with no
    password. The one sent is spent; sending a spent one again ends the whole session
    (401 REFRESH_REUSED). Needs no Authorization header (an expired access token is ignored)."""
    session = db_session()
    account, tokens = auth.refresh(session, data["refresh_token"])
    g.audit_user = account
    session.commit()
    return {**token_body(tokens), "account": account_view(account)}


def set_session_cookie(response, session_id: str) -> None:
    from flask import current_app

    response.set_cookie(
        auth.SESSION_COOKIE,
        session_id,
        max_age=int(auth.SESSION_TTL.total_seconds()),
        secure=current_app.config["COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
        path="/",
    )


@blp.route("/logout", methods=["POST"])
@blp.response(200, LoggedOut)
def logout():
    """注销: ends the browser session or the bearer token's session."""
    session = db_session()
    caller = auth.current_caller()
    auth.logout(session, caller)
    session.commit()
    response = make_response(jsonify({"ok": True}))
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


@blp.route("/me", methods=["GET"])
@blp.response(200, MeOut)
def me():
    """当前登录账号."""
    caller = auth.current_caller()
    body = {"account": account_view(caller.account)}
    if caller.session is not None:
        body["csrf_token"] = caller.session.csrf_token
    return body
