"""组织注册 for a union with no account (linked from the login page): the districts to choose
from, and the application, throttled per address and handed to members, which owns it
(docs/decisions/0036-organisation-registration.md). Its review (组织审核) is members'
`/api/v1/members/registrations…`, forwarded like every service call."""

from __future__ import annotations

from flask import g, jsonify
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import answers
from common.schema import BaseSchema
from common.web import uow
from gateway.api.auth import client_ip
from gateway.handlers import registrations

blp = Blueprint("registrations", __name__, url_prefix="/api/v1/registrations", description="组织注册（无需登录）")


class RegistrationIn(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(max=200), metadata={"description": "工会名称"})
    credit_code = fields.String(
        required=True, validate=validate.Length(max=40), metadata={"description": "18 位统一社会信用代码"}
    )
    district_id = fields.Integer(required=True, metadata={"description": "所属区局/产业工会（见 districts）"})
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
    number = fields.String(metadata={"description": "注册编号"})
    state = fields.String(metadata={"description": "pending：待区局审核"})
    state_name = fields.String()
    district_name = fields.String()
    clerk_email = fields.String(metadata={"description": "审核结果与激活链接将发送至该邮箱"})
    message = fields.String(metadata={"description": "接下来会发生什么"})


class DistrictChoice(BaseSchema):
    id = fields.Integer()
    name = fields.String()


@blp.route("/districts", methods=["GET"])
@blp.response(200, DistrictChoice(many=True))
def districts():
    """可选择的区局/产业工会（组织注册表单用）。"""
    return registrations.districts(g.request_id)


@blp.route("", methods=["POST"])
@blp.arguments(RegistrationIn)
@blp.response(201, RegistrationOut)
@answers(409, 429)
def register(data):
    """组织注册：提交后待所属区局审核；通过后代办员账号以未激活状态创建，激活链接发送至代办员邮箱。
    统一社会信用代码或名称与现有工会或待审核申请重复、用户名已被使用：409；同一地址每小时至多 5 次：429。"""
    with uow() as work:
        status, body = registrations.submit(work, data, client_ip(), g.request_id)
    if status == 201:
        g.audit_subject = f"组织注册 {data['name'].strip()}（{body['number']}）"
        return body
    response = jsonify(body)
    response.status_code = status
    return response
