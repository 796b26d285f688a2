"""The centre manages accounts (账号管理) and reads the audit trail (操作日志)."""
from __future__ import annotations

from functools import wraps

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import func, select

from common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from common.identity import Identity
from common.schema import BaseSchema, PageQuery
from gateway import auth
from gateway.adapters.orm import Account, AuditRecord
from gateway.app_state import db_session
from gateway.domain import accounts as rules
from gateway.proxy import call_service

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="账号管理与操作日志（市职保中心）")


class AccountIn(BaseSchema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,64}$", error="用户名为 3–64 位字母、数字或 _ . -"))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(list(rules.ROLE_NAMES)))
    union_id = fields.Integer(load_default=None, allow_none=True)
    district_id = fields.Integer(load_default=None, allow_none=True)


class AccountPatch(BaseSchema):
    display_name = fields.String(validate=validate.Length(min=1, max=100))
    password = fields.String(validate=validate.Length(max=200))
    active = fields.Boolean()


class AccountOut(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    union_id = fields.Integer(allow_none=True)
    district_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class AuditQuery(PageQuery):
    username = fields.String()


class AuditOut(BaseSchema):
    at = fields.DateTime()
    username = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    action = fields.String()
    status = fields.Integer()
    outcome = fields.String()
    request_id = fields.String()
    ip = fields.String()


class AuditPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(AuditOut))


def _centre() -> auth.Caller:
    caller = auth.current_caller()
    if caller.account.role != "centre":
        raise Forbidden()
    return caller


def centre_only(func):
    """Refuse other roles before the body is even validated (role first, then input)."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        _centre()
        return func(*args, **kwargs)
    return wrapper


def _resolve_scope(data: dict, request_id: str) -> dict:
    """Bind the account to a union or district that members knows; a grassroots account takes
    its union's district."""
    ident = Identity(user="gateway", role="centre", request_id=request_id)
    if data["role"] == "grassroots":
        response = call_service("members", "GET", f"unions/{data['union_id']}", ident, timeout=(2, 10))
        if response.status_code == 404:
            raise ValidationFailed({"union_id": ["该基层工会不存在"]})
        response.raise_for_status()
        data["district_id"] = response.json()["district_id"]
    elif data["role"] == "district":
        response = call_service("members", "GET", "districts", ident, timeout=(2, 10))
        response.raise_for_status()
        if data["district_id"] not in {d["id"] for d in response.json()}:
            raise ValidationFailed({"district_id": ["该区局（产业）工会不存在"]})
    return data


@blp.route("/accounts")
class Accounts(MethodView):
    @centre_only
    @blp.response(200, AccountOut(many=True))
    def get(self):
        """账号列表 (centre)."""
        return list(db_session().scalars(select(Account).order_by(Account.id)))

    @centre_only
    @blp.arguments(AccountIn)
    @blp.response(201, AccountOut)
    def post(self, data):
        """新建账号 (centre), bound to its role's union or district."""
        errors = rules.scope_errors(data["role"], data["union_id"], data["district_id"])
        problems = rules.password_errors(data["password"], data["username"])
        if problems:
            errors["password"] = problems
        if errors:
            raise ValidationFailed(errors)
        session = db_session()
        if session.scalar(select(Account.id).where(Account.username == data["username"])):
            raise Conflict("用户名已被使用", code="USERNAME_TAKEN", fields={"username": ["用户名已被使用"]})
        from flask import g

        data = _resolve_scope(data, g.request_id)
        now = auth.utcnow()
        account = Account(username=data["username"], display_name=data["display_name"],
                          password_hash=auth.hash_password(data["password"]), role=data["role"],
                          union_id=data["union_id"], district_id=data["district_id"], active=True,
                          created_at=now, password_changed_at=now)
        session.add(account)
        session.commit()
        return account


@blp.route("/accounts/<int:account_id>")
class AccountItem(MethodView):
    @centre_only
    @blp.arguments(AccountPatch)
    @blp.response(200, AccountOut)
    def patch(self, data, account_id):
        """修改账号：重置密码、停用/启用 (centre)."""
        session = db_session()
        account = session.get(Account, account_id)
        if account is None:
            raise NotFound()
        if "password" in data:
            problems = rules.password_errors(data["password"], account.username)
            if problems:
                raise ValidationFailed({"password": problems})
            account.password_hash = auth.hash_password(data.pop("password"))
            account.password_changed_at = auth.utcnow()
        for key, value in data.items():
            setattr(account, key, value)
        session.commit()
        auth.forget_account(account.id)  # a disabled account is refused at once, not after the cache's moment
        return account


@blp.route("/audit")
class Audit(MethodView):
    @centre_only
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPage)
    def get(self, query):
        """操作日志 (centre): newest first."""
        session = db_session()
        q = select(AuditRecord)
        if query.get("username"):
            q = q.where(AuditRecord.username == query["username"])
        total = session.scalar(select(func.count()).select_from(q.subquery()))
        items = session.scalars(q.order_by(AuditRecord.id.desc())
                                .offset((query["page"] - 1) * query["per_page"]).limit(query["per_page"]))
        return {"total": total, "items": list(items)}


def record(session, username, role, union_id, district_id, action: str, status: int, request_id: str,
           ip: str) -> None:
    """One audit record, on the request's own session after whatever it did was settled."""
    outcome = "ok" if status < 400 else ("refused" if status < 500 else "error")
    session.rollback()  # anything left uncommitted by a failed request is not audited as done
    session.add(AuditRecord(at=auth.utcnow(), username=username, role=role, union_id=union_id,
                            district_id=district_id, action=action[:300], status=status, outcome=outcome,
                            request_id=request_id, ip=ip[:64]))
    session.commit()
