"""HTTP entry points of 登记信息变更 in 组织审核: a union asks to change its name, its credit code
or its district (/unions/{id}/fact-changes); the districts decide (/fact-changes…)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.schema import BaseSchema, Timestamp
from common.web import audit_subject, current_identity, roles, uow
from services.members.domain.fact_change import STATE_NAMES
from services.members.handlers import fact_changes

blp = Blueprint("fact_changes", __name__, description="登记信息变更（组织审核）")


class FactChangeIn(BaseSchema):
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    credit_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    district_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "转入的区局/产业工会（须原区局放行、新区局接收）"}
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class FactChangeOut(BaseSchema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "变更编号"})
    union_id = fields.Integer()
    old_name = fields.String()
    old_credit_code = fields.String()
    from_district_id = fields.Integer()
    from_district_name = fields.String(allow_none=True)
    new_name = fields.String(allow_none=True)
    new_credit_code = fields.String(allow_none=True)
    to_district_id = fields.Integer(allow_none=True)
    to_district_name = fields.String(allow_none=True)
    note = fields.String()
    state = fields.String(metadata={"description": "pending 待区局审核 / awaiting 待新区局接收 / approved / returned"})
    state_name = fields.String()
    step_district_id = fields.Integer(allow_none=True, metadata={"description": "当前应由哪个区局审核"})
    your_step = fields.Boolean(
        metadata={"description": "当前是否应由调用者审核（区局为本区局的一步，市职保中心为任一步）"}
    )
    reason = fields.String(allow_none=True)
    submitted_at = Timestamp()
    submitted_by = fields.String()
    released_at = Timestamp(allow_none=True)
    released_by = fields.String(allow_none=True)
    decided_at = Timestamp(allow_none=True)
    decided_by = fields.String(allow_none=True)


class FactChangeQuery(BaseSchema):
    state = fields.String(validate=validate.OneOf(list(STATE_NAMES)))


class FactChangeReturnIn(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(max=500), metadata={"description": "退回原因"})


def _out(work, row) -> dict:
    out = {key: getattr(row, key) for key in FactChangeOut._declared_fields if hasattr(row, key)}
    out["from_district_name"] = fact_changes.district_name(work, row.from_district_id)
    out["to_district_name"] = fact_changes.district_name(work, row.to_district_id)
    out["state_name"] = STATE_NAMES[row.state]
    out["step_district_id"] = step = {"pending": row.from_district_id, "awaiting": row.to_district_id}.get(row.state)
    who = current_identity()
    out["your_step"] = step is not None and (
        who.role == "centre" or (who.role == "district" and who.district_id == step)
    )
    return out


def _subject(row) -> str:
    return f"登记信息变更 {row.old_name}（{row.number}）"


@blp.route("/unions/<int:union_id>/fact-changes")
class Ask(MethodView):
    @roles("grassroots")
    @blp.arguments(FactChangeIn)
    @blp.response(201, FactChangeOut)
    def post(self, data, union_id):
        """申请变更本会登记信息（名称、统一社会信用代码、所属区局）：待所属区局审核；转区局还须新区局接收。"""
        with uow() as work:
            row = fact_changes.submit(work, current_identity(), union_id, data)
            audit_subject(_subject(row))
            return _out(work, row)


@blp.route("/fact-changes")
class Changes(MethodView):
    @roles("grassroots", "district", "centre")
    @blp.arguments(FactChangeQuery, location="query")
    @blp.response(200, FactChangeOut(many=True))
    def get(self, query):
        """登记信息变更申请：区局为本区局工会提出的与转入本区局的，基层工会为本会的，市职保中心为全部（新的在前）。"""
        with uow() as work:
            return [_out(work, r) for r in fact_changes.list_changes(work, current_identity(), **query)]


@blp.route("/fact-changes/<int:change_id>/approve")
class Approve(MethodView):
    @roles("district", "centre")
    @blp.response(200, FactChangeOut)
    def post(self, change_id):
        """通过：名称、代码变更即生效；转区局由原区局放行后待新区局接收，新区局接收后生效。"""
        with uow() as work:
            row = fact_changes.approve(work, current_identity(), change_id)
            audit_subject(_subject(row))
            return _out(work, row)


@blp.route("/fact-changes/<int:change_id>/return")
class Return(MethodView):
    @roles("district", "centre")
    @blp.arguments(FactChangeReturnIn)
    @blp.response(200, FactChangeOut)
    def post(self, data, change_id):
        """退回：须填写原因；登记信息不变。"""
        with uow() as work:
            row = fact_changes.give_back(work, current_identity(), change_id, data["reason"])
            audit_subject(_subject(row))
            return _out(work, row)
