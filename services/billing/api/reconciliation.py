"""对账: each batch's figures for the centre, with what a write-off would record."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from common.schema import BaseSchema, Timestamp
from common.web import current_identity, roles, uow
from services.billing.api.schemas import BatchQuery
from services.billing.domain.payment_status import status_text as payment_status_text
from services.billing.handlers import reports

blp = Blueprint("reconciliation", __name__, description="对账")


class WriteOffPrefill(BaseSchema):
    amount_fen = fields.Integer(metadata={"description": "银行流水已匹配金额（分）"})
    received_on = fields.Date(metadata={"description": "最近一笔匹配流水的日期"})
    bank_reference = fields.String(metadata={"description": "流水摘要或行号"})


class ReconciliationOut(BaseSchema):
    batch_id = fields.Integer()
    batch_no = fields.String()
    district_id = fields.Integer()
    district_name = fields.String(allow_none=True)
    cover_year = fields.Integer()
    mode = fields.String()
    headcount = fields.Integer()
    status = fields.String()
    status_text = fields.Function(
        lambda r: payment_status_text(r["status"]), metadata={"description": "缴费状态（文字）"}
    )
    due_fen = fields.Integer()
    declared_paid_fen = fields.Integer(allow_none=True)
    voucher_declared_fen = fields.Integer(metadata={"description": "已上传凭证金额（凭证所填，未必到账）"})
    bank_matched_fen = fields.Integer()
    received_fen = fields.Integer(allow_none=True)
    paid_fen = fields.Integer(metadata={"description": "已缴：银行流水匹配或核销时确认到账的金额"})
    difference_fen = fields.Integer()
    short_fen = fields.Integer(metadata={"description": "未缴：应缴减已缴（不为负）"})
    overpaid_fen = fields.Integer(metadata={"description": "多缴：已缴超出应缴的金额"})
    overpaid_text = fields.String(allow_none=True, metadata={"description": "多缴说明，如：多缴 7.00 元"})
    overpaid_choice = fields.String(allow_none=True, metadata={"description": "多缴的处理：credit / refund"})
    pay_by = fields.Date(allow_none=True)
    voucher_uploaded_at = Timestamp(allow_none=True)
    feedback_at = Timestamp(allow_none=True)
    written_off_at = Timestamp(allow_none=True)
    write_off_prefill = fields.Nested(
        WriteOffPrefill, allow_none=True, metadata={"description": "核销预填：来自已匹配的银行流水"}
    )


@blp.route("/reconciliation")
class Reconciliation(MethodView):
    @roles("centre")
    @blp.arguments(BatchQuery, location="query")
    @blp.response(200, ReconciliationOut(many=True))
    def get(self, query):
        """对账核销列表 (centre): per batch due, paid, difference."""
        with uow() as work:
            return reports.reconciliation(work, current_identity(), **query)
