"""到账分配: the lines waiting for the centre, its hand allocation of one, a batch's arrivals."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.schema import BaseSchema, Timestamp
from common.web import audit_subject, current_identity, roles, uow
from services.billing.api.schemas import Id, Yuan
from services.billing.domain.allocation import MAX_PARTS
from services.billing.handlers import allocations

blp = Blueprint("allocations", __name__, description="到账分配：一笔流水拆到多个批次、手工分配")


class WaitingLineOut(BaseSchema):
    line_id = fields.Integer()
    statement_id = fields.Integer()
    filename = fields.String(metadata={"description": "所在的银行流水文件"})
    row = fields.Integer()
    paid_on = fields.Date()
    payer = fields.String()
    amount_fen = fields.Integer()
    memo = fields.String()
    reason_code = fields.String()
    reason = fields.String(metadata={"description": "未匹配原因"})


class PartIn(BaseSchema):
    batch_id = Id(required=True)
    amount = Yuan(required=True, metadata={"description": "分配到此批次的金额（元）"})


class AllocationIn(BaseSchema):
    parts = fields.List(
        fields.Nested(PartIn),
        required=True,
        validate=validate.Length(min=1, max=MAX_PARTS),
        metadata={"description": "各批次及金额；金额之和须等于流水金额"},
    )


class AllocationOut(BaseSchema):
    id = fields.Integer()
    line_id = fields.Integer()
    batch_id = fields.Integer()
    amount_fen = fields.Integer()
    method = fields.String()
    at = Timestamp()
    by = fields.String()


class ArrivalOut(BaseSchema):
    line_id = fields.Integer()
    paid_on = fields.Date()
    payer = fields.String()
    memo = fields.String()
    line_amount_fen = fields.Integer(metadata={"description": "这笔流水的金额"})
    amount_fen = fields.Integer(metadata={"description": "计入本批次的金额"})
    method = fields.String()
    method_text = fields.String(metadata={"description": "匹配、拆分或手工分配"})
    at = Timestamp()
    by = fields.String()


@blp.route("/bank-statements/waiting-lines")
class WaitingLines(MethodView):
    @roles("centre")
    @blp.response(200, WaitingLineOut(many=True))
    def get(self):
        """待分配流水 (centre): lines matched to no batch, with why (at most 500, newest import first)."""
        with uow() as work:
            return allocations.waiting_lines(work, current_identity())


@blp.route("/bank-statements/lines/<int(max=2147483647):line_id>/allocation")
class LineAllocation(MethodView):
    @roles("centre")
    @blp.arguments(AllocationIn)
    @blp.response(201, AllocationOut(many=True))
    def post(self, data, line_id):
        """手工分配 (centre): a waiting line to one or more open batches, amounts summing to the line's
        (422 ALLOCATION_SUM otherwise); each part an allocation row and a ledger line."""
        with uow() as work:
            audit_subject(f"银行流水 {line_id}")
            parts = [(p["batch_id"], p["amount"]) for p in data["parts"]]
            return allocations.allocate_line(work, current_identity(), line_id, parts)


@blp.route("/batches/<int(max=2147483647):batch_id>/arrivals")
class BatchArrivals(MethodView):
    @roles("centre", "district")
    @blp.response(200, ArrivalOut(many=True))
    def get(self, batch_id):
        """到账明细 of a batch: each bank line (or part of one) that went to it; 已缴 is their sum."""
        with uow() as work:
            return allocations.arrivals(work, current_identity(), batch_id)
