"""A district's batches (参保批次) to the centre: submit one, list them, read one."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import audit_subject, current_identity, roles, uow
from services.enrollment.api.schemas import (
    SubmissionOut,
    _mode,
    _year,
)
from services.enrollment.domain.enrolment import BATCH_STATUS_CODES, MODES
from services.enrollment.handlers import batches

blp = Blueprint("batches", __name__, description="参保批次")


class Handler(BaseSchema):
    name = fields.String(required=True, metadata={"description": "经办人姓名"})
    phone = fields.String(required=True, metadata={"description": "联系电话"})
    email = fields.String(required=True, metadata={"description": "电子邮箱（接收缴费明细）"})


class BatchIn(BaseSchema):
    cover_year = _year
    mode = _mode
    handler = fields.Nested(Handler, required=True)


class BatchOut(BaseSchema):
    id = fields.Integer()
    batch_no = fields.String(metadata={"description": "批次编号"})
    district_id = fields.Integer()
    cover_year = fields.Integer()
    mode = fields.String()
    status = fields.String()
    status_text = fields.String()
    headcount = fields.Integer(metadata={"description": "参保人数"})
    headcount_by_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    handler_name = fields.String()
    handler_phone = fields.String()
    handler_email = fields.String()
    submitted_at = Timestamp(metadata={"description": "提交时间"})
    updated_at = Timestamp(metadata={"description": "最后更新时间"})
    voucher_uploaded_at = Timestamp(allow_none=True, metadata={"description": "凭证上传时间"})
    feedback_at = Timestamp(allow_none=True, metadata={"description": "职保中心反馈时间"})
    feedback_message = fields.String(allow_none=True)
    written_off_at = Timestamp(allow_none=True, metadata={"description": "职保中心核销时间"})
    failed_at = Timestamp(allow_none=True)
    premium_fen = fields.Integer(allow_none=True)
    city_subsidy_fen = fields.Integer(allow_none=True)
    union_share_fen = fields.Integer(allow_none=True)
    credit_applied_fen = fields.Integer(allow_none=True)
    due_fen = fields.Integer(allow_none=True)
    pay_by = fields.Date(allow_none=True)


class BatchDetail(BatchOut):
    submissions = fields.List(fields.Nested(SubmissionOut))


class BatchQuery(PageQuery):
    cover_year = fields.Integer()
    mode = fields.String(validate=validate.OneOf(MODES))
    status = fields.String(validate=validate.OneOf(BATCH_STATUS_CODES))
    district_id = fields.Integer()
    batch_no = fields.String()
    submitted_from = fields.Date()
    submitted_to = fields.Date()


class BatchPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(BatchOut))


@blp.route("/batches")
class Batches(MethodView):
    @roles("centre", "district")
    @blp.arguments(BatchQuery, location="query")
    @blp.response(200, BatchPage)
    def get(self, q):
        """参保批次管理: batches, newest first (district: its own)."""
        page, per_page = q.pop("page"), q.pop("per_page")
        with uow() as work:
            total, items = batches.list_batches(work, current_identity(), q, page, per_page)
            return {"total": total, "items": items}

    @roles("district")
    @blp.arguments(BatchIn)
    @blp.response(201, BatchDetail)
    def post(self, data):
        """提交列表中的参保信息 (district): the to-submit list becomes a batch; it cannot change after."""
        with uow() as work:
            batch = batches.submit_batch(work, current_identity(), data["cover_year"], data["mode"], data["handler"])
        with uow() as work:
            detail = batches.batch_detail(work, current_identity(), batch.id)
        audit_subject(f"批次 {detail['batch_no']}（{detail['headcount']} 人）")
        return detail


@blp.route("/batches/<int:batch_id>")
class BatchItem(MethodView):
    @roles("centre", "district")
    @blp.response(200, BatchDetail)
    def get(self, batch_id):
        """批次详情 with its submissions (in scope only)."""
        with uow() as work:
            return batches.batch_detail(work, current_identity(), batch_id)
