"""HTTP entry points of 组织注册 (submitted by the gateway for an applicant with no account) and
组织审核 (a district's queue and its decisions): /registrations."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.identity import GATEWAY
from common.schema import BaseSchema, Timestamp
from common.web import audit_subject, current_identity, roles, uow
from services.members.domain.registration import STATE_NAMES
from services.members.handlers import registrations

blp = Blueprint("registrations", __name__, description="组织注册与组织审核")


class RegistrationIn(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(max=200), metadata={"description": "工会名称"})
    credit_code = fields.String(
        required=True, validate=validate.Length(max=40), metadata={"description": "18 位统一社会信用代码"}
    )
    district_id = fields.Integer(required=True, metadata={"description": "所属区局/产业工会"})
    address = fields.String(required=True, validate=validate.Length(max=200))
    chair_name = fields.String(required=True, validate=validate.Length(max=50), metadata={"description": "工会主席"})
    chair_mobile = fields.String(required=True, validate=validate.Length(max=30))
    chair_email = fields.String(required=True, validate=validate.Length(max=254))
    clerk_name = fields.String(required=True, validate=validate.Length(max=50), metadata={"description": "代办员"})
    clerk_mobile = fields.String(required=True, validate=validate.Length(max=30))
    clerk_email = fields.String(required=True, validate=validate.Length(max=254))
    username = fields.String(
        required=True, validate=validate.Length(max=64), metadata={"description": "代办员希望使用的用户名"}
    )


class RegistrationOut(BaseSchema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "注册编号"})
    name = fields.String()
    credit_code = fields.String()
    district_id = fields.Integer()
    district_name = fields.String()
    address = fields.String()
    chair_name = fields.String()
    chair_mobile = fields.String()
    chair_email = fields.String()
    clerk_name = fields.String()
    clerk_mobile = fields.String()
    clerk_email = fields.String()
    username = fields.String()
    state = fields.String(metadata={"description": "pending 待区局审核 / approved 已通过 / returned 已退回"})
    state_name = fields.String()
    reason = fields.String(allow_none=True, metadata={"description": "退回原因"})
    union_id = fields.Integer(allow_none=True)
    submitted_at = Timestamp()
    decided_at = Timestamp(allow_none=True)


class RegistrationQuery(BaseSchema):
    state = fields.String(validate=validate.OneOf(list(STATE_NAMES)))


class ReturnIn(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(max=500), metadata={"description": "退回原因"})


def _out(work, registration) -> dict:
    out = {key: getattr(registration, key) for key in RegistrationOut._declared_fields if hasattr(registration, key)}
    out["district_name"] = registrations.district_name(work, registration)
    out["state_name"] = STATE_NAMES[registration.state]
    return out


@blp.route("/registrations")
class Registrations(MethodView):
    @roles("district", "centre")
    @blp.arguments(RegistrationQuery, location="query")
    @blp.response(200, RegistrationOut(many=True))
    def get(self, query):
        """组织审核：本区局的注册申请（最近 500 条，新的在前）；市职保中心看全部。"""
        with uow() as work:
            return [_out(work, r) for r in registrations.list_registrations(work, current_identity(), **query)]

    @roles(GATEWAY)
    @blp.arguments(RegistrationIn)
    @blp.response(201, RegistrationOut)
    def post(self, data):
        """组织注册（网关代无账号的申请人提交）：代码、名称与现有工会及待审核申请不得重复。"""
        with uow() as work:
            registration = registrations.submit(work, current_identity(), data)
            audit_subject(f"组织注册 {registration.name}（{registration.number}）")
            return _out(work, registration)


@blp.route("/registrations/<int:registration_id>/approve")
class Approve(MethodView):
    @roles("district", "centre")
    @blp.response(200, RegistrationOut)
    def post(self, registration_id):
        """通过：该工会登记入名录，代办员账号由网关创建为未激活并发送激活链接。"""
        with uow() as work:
            registration = registrations.approve(work, current_identity(), registration_id)
            audit_subject(f"组织注册 {registration.name}（{registration.number}）")
            return _out(work, registration)


@blp.route("/registrations/<int:registration_id>/return")
class Return(MethodView):
    @roles("district", "centre")
    @blp.arguments(ReturnIn)
    @blp.response(200, RegistrationOut)
    def post(self, data, registration_id):
        """退回：须填写原因，原因以邮件告知申请人。"""
        with uow() as work:
            registration = registrations.return_registration(work, current_identity(), registration_id, data["reason"])
            audit_subject(f"组织注册 {registration.name}（{registration.number}）")
            return _out(work, registration)
