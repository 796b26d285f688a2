"""The centre manages accounts (账号管理) and reads the audit trail (操作日志)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers
from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import current_identity, roles, uow
from gateway.adapters import members_directory
from gateway.domain import accounts as rules
from gateway.handlers import account_links, accounts, audit

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="账号管理与操作日志（市职保中心）")


class AccountIn(BaseSchema):
    username = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,64}$", error="用户名为 3–64 位字母、数字或 _ . -")
    )
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "初始密码；不填则账号创建为未激活，激活链接发送至 email（此时 email 必填）"},
    )
    role = fields.String(required=True, validate=validate.OneOf(list(rules.ROLE_NAMES)))
    union_id = fields.Integer(load_default=None, allow_none=True)
    district_id = fields.Integer(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))


class AccountPatch(BaseSchema):
    display_name = fields.String(validate=validate.Length(min=1, max=100))
    password = fields.String(validate=validate.Length(max=200))
    active = fields.Boolean()
    role = fields.String(validate=validate.OneOf(list(rules.ROLE_NAMES)))
    union_id = fields.Integer(validate=validate.Range(min=1, max=2_147_483_647))
    district_id = fields.Integer(validate=validate.Range(min=1, max=2_147_483_647))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))


class AccountOut(BaseSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    union_id = fields.Integer(allow_none=True)
    district_id = fields.Integer(allow_none=True)
    email = fields.String(allow_none=True)
    active = fields.Boolean()
    awaiting_activation = fields.Function(
        account_links.awaiting_activation,
        metadata={"description": "待激活：创建时未设置密码，等待通过激活链接设置"},
    )


class AuditQuery(PageQuery):
    username = fields.String()


class AuditOut(BaseSchema):
    at = Timestamp()
    username = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    action = fields.String()
    status = fields.Integer()
    outcome = fields.String()
    request_id = fields.String()
    ip = fields.String()
    detail = fields.String(allow_none=True, metadata={"description": "补充说明，如：超出每日证件号码查询额度"})
    subject = fields.String(
        allow_none=True, metadata={"description": "操作对象（由执行的服务说明），如：张三（3101**********1234）"}
    )
    actor = fields.String(metadata={"description": "谁：账号及其所属工会/区局"})
    what = fields.String(metadata={"description": "做了什么、对谁，如：驳回会员：张三（3101**********1234）"})
    result = fields.String(metadata={"description": "结果：成功 / 被拒绝：原因 / 出错"})
    summary = fields.String(metadata={"description": "一句话：谁 做了什么，结果"})


class AuditPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(AuditOut))


class AccountQuery(PageQuery):
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    q = fields.String(validate=validate.Length(max=64), metadata={"description": "用户名或名称的一部分"})
    role = fields.String(validate=validate.OneOf(("grassroots", "district", "centre")))
    union_id = fields.Integer(validate=validate.Range(min=1, max=2_147_483_647))
    district_id = fields.Integer(validate=validate.Range(min=1, max=2_147_483_647))


@blp.route("/accounts")
class Accounts(MethodView):
    @roles("centre")
    @blp.arguments(AccountQuery, location="query")
    @blp.response(200, AccountOut(many=True), headers={"X-Total-Count": {"description": "符合条件的账号总数"}})
    def get(self, query):
        """账号列表 (centre)：按条件分页，最新的在前；符合条件的总数在 X-Total-Count."""
        with uow() as work:
            total, items = accounts.list_accounts(work, current_identity(), **query)
        return items, 200, {"X-Total-Count": str(total)}

    @roles("centre")  # outermost: other roles are refused before the body is even validated
    @blp.arguments(AccountIn)
    @blp.response(201, AccountOut)
    @answers(409, 503)  # a taken user name; members answers whether the union or district exists
    def post(self, data):
        """新建账号 (centre), bound to its role's union or district. Without a password the account is
        made inactive and a one-time activation link (72 h) is e-mailed to it; the clerk sets the
        password from the link."""
        with uow() as work:
            account = accounts.create_account(work, current_identity(), data)
        g.audit_subject = f"{account.username}（{account.display_name}）"
        return account


@blp.route("/accounts/<int:account_id>")
class AccountItem(MethodView):
    @roles("centre")
    @blp.arguments(AccountPatch)
    @blp.response(200, AccountOut)
    @answers(503)  # members answers whether the union or district exists
    def patch(self, data, account_id):
        """修改账号：重置密码、改名、停用/启用、变更角色或所属工会/区局 (centre). A new password,
        disabling, or another role or binding ends every session and token of the account at once."""
        with uow() as work:
            account = accounts.update_account(work, current_identity(), account_id, data)
        g.audit_subject = f"{account.username}（{account.display_name}）"
        return account


@blp.route("/audit")
class Audit(MethodView):
    @roles("centre")
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPage)
    def get(self, query):
        """操作日志 (centre): newest first."""
        with uow() as work:
            total, rows = audit.list_audit(
                work, current_identity(), query["page"], query["per_page"], query.get("username")
            )
        names = members_directory.scope_names(
            {r.union_id for r in rows if r.union_id is not None},
            {r.district_id for r in rows if r.district_id is not None and r.union_id is None},
            g.request_id,
        )
        items = [
            {
                **{
                    c: getattr(r, c)
                    for c in (
                        "at",
                        "username",
                        "role",
                        "action",
                        "status",
                        "outcome",
                        "request_id",
                        "ip",
                        "detail",
                        "subject",
                    )
                },
                **audit.in_words(r, names),
            }
            for r in rows
        ]
        return {"total": total, "items": items}
