"""A district's batches (参保批次): listing and detail, the payment vouchers (缴费凭证), the
centre's feedback (反馈), the write-off (核销) and the payment detail workbook."""

from __future__ import annotations

import json

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

from common.api_docs import XLSX, downloads
from common.downloads import download
from common.schema import BaseSchema, Timestamp
from common.web import audit_subject, current_identity, roles, uow
from services.billing import contracts, settings
from services.billing.adapters import queries
from services.billing.api.schemas import BatchQuery, Yuan, file_from_request
from services.billing.domain.allocation import (
    OVERPAYMENT_CHOICES,
    arrived,
    money_received_fen,
    overpaid_fen,
    overpaid_text,
)
from services.billing.domain.payment_status import PAYMENT_STATUSES
from services.billing.domain.payment_status import status_text as payment_status_text
from services.billing.domain.voucher import MEDIA_TYPES
from services.billing.handlers import batches, vouchers

blp = Blueprint("batches", __name__, description="批次：缴费凭证、反馈、核销与缴费明细")


class BatchOut(BaseSchema):
    batch_id = fields.Integer()
    batch_no = fields.String()
    district_id = fields.Integer()
    cover_year = fields.Integer()
    mode = fields.String()
    headcount = fields.Integer()
    by_type = fields.Function(lambda b: json.loads(b.by_type))
    submission_ids = fields.Function(lambda b: json.loads(b.submission_ids))
    premium_fen = fields.Integer()
    city_subsidy_fen = fields.Integer()
    union_share_fen = fields.Integer()
    credit_applied_fen = fields.Integer()
    due_fen = fields.Integer()
    pay_by = fields.Date(allow_none=True)
    status = fields.String(metadata={"description": "缴费状态（billing 所定，见 /payment-statuses）"})
    status_text = fields.Function(lambda b: payment_status_text(b.status), metadata={"description": "缴费状态（文字）"})
    submitted_at = fields.String()
    paid_fen = fields.Integer(
        allow_none=True, metadata={"description": "已上传凭证金额：未撤回凭证所填金额之和（未必到账）"}
    )
    voucher_declared_fen = fields.Function(lambda b: b.paid_fen or 0, metadata={"description": "已上传凭证金额"})
    money_received_fen = fields.Function(
        lambda b: money_received_fen(b), metadata={"description": "已缴：核销或银行流水确认到账的金额"}
    )
    paid_on = fields.Date(allow_none=True)
    voucher_uploaded_at = Timestamp(allow_none=True)
    bank_matched_fen = fields.Integer()
    feedback_at = Timestamp(allow_none=True)
    written_off_at = Timestamp(allow_none=True)
    received_fen = fields.Integer(allow_none=True)
    received_on = fields.Date(allow_none=True)
    bank_reference = fields.String(allow_none=True)
    short_fen = fields.Function(lambda b: arrived(b).short_fen, metadata={"description": "未缴：应缴减已缴"})
    overpaid_fen = fields.Function(lambda b: overpaid_fen(b), metadata={"description": "多缴：已缴超出应缴的金额"})
    overpaid_choice = fields.String(
        allow_none=True, metadata={"description": "多缴的处理：credit 转抵扣，refund 已退还"}
    )
    overpaid_text = fields.Function(lambda b: overpaid_text(b), metadata={"description": "多缴说明"})
    refunded_at = Timestamp(allow_none=True)
    refunded_by = fields.String(allow_none=True)
    refund_note = fields.String(allow_none=True)


class VoucherForm(BaseSchema):
    amount = Yuan(required=True, metadata={"description": "缴费金额（元）"})
    paid_on = fields.Date(required=True, metadata={"description": "缴费日期"})
    # Read by the view from request.files; declared here so that the form's documentation has it.
    file = fields.Raw(
        load_only=True,
        metadata={"type": "string", "format": "binary", "description": "the voucher: JPEG, PNG or PDF (required)"},
    )


class VoucherOut(BaseSchema):
    id = fields.Integer()
    batch_id = fields.Integer()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    amount_fen = fields.Integer()
    paid_on = fields.Date()
    uploaded_at = Timestamp()
    uploaded_by = fields.String(metadata={"description": "上传人"})
    withdrawn = fields.Function(
        lambda v: v.withdrawn_at is not None, metadata={"description": "已撤回（不计入已上传凭证金额）"}
    )
    withdrawn_at = Timestamp(allow_none=True)
    withdrawn_by = fields.String(allow_none=True)
    withdraw_reason = fields.String(allow_none=True, metadata={"description": "撤回原因"})


class VoucherFileQuery(BaseSchema):
    inline = fields.Boolean(load_default=False, metadata={"description": "true: 在页面中查看（图片、PDF），否则下载"})


class WithdrawIn(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(max=500), metadata={"description": "撤回原因"})


class FeedbackIn(BaseSchema):
    message = fields.String(required=True, validate=validate.Length(min=1, max=500))


class FeedbackOut(BaseSchema):
    id = fields.Integer()
    batch_id = fields.Integer()
    message = fields.String()
    at = Timestamp()


class WriteOffIn(BaseSchema):
    amount = Yuan(required=True, metadata={"description": "到账金额（元）"})
    received_on = fields.Date(required=True)
    bank_reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    overpayment = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(list(OVERPAYMENT_CHOICES)),
        metadata={"description": "多缴的处理（到账金额大于应缴时必填）：credit 转为下一年度抵扣款，refund 已退还"},
    )
    refund_note = fields.String(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "退还说明（如退款流水号），选择 refund 时必填"},
    )

    @validates_schema
    def _refund_says_how(self, data: dict, **_kw) -> None:
        # a refund is money leaving the centre: what proves it is the note, so it is never blank
        if data.get("overpayment") == "refund" and not (data.get("refund_note") or "").strip():
            raise ValidationError({"refund_note": ["选择“已退还区局”时请填写退还说明（如退款流水号、退还日期）"]})


class PaymentStatusOut(BaseSchema):
    status = fields.String()
    text = fields.String()


@blp.route("/payment-statuses")
class PaymentStatuses(MethodView):
    @roles("centre", "district")
    @blp.response(200, PaymentStatusOut(many=True))
    def get(self):
        """缴费状态: every status a batch can have, with its name, in order (what a filter offers)."""
        return [{"status": k, "text": v} for k, v in PAYMENT_STATUSES.items()]


@blp.route("/batches")
class Batches(MethodView):
    @roles("centre", "district")
    @blp.arguments(BatchQuery, location="query")
    @blp.response(200, BatchOut(many=True))
    def get(self, query):
        """参保批次 with their price and payment state (district: its own)."""
        with uow() as work:
            return queries.list_batches(work.session, current_identity(), **query)


@blp.route("/batches/<int(max=2147483647):batch_id>")
class BatchItem(MethodView):
    @roles("centre", "district")
    @blp.response(200, BatchOut)
    def get(self, batch_id):
        """批次详情."""
        with uow() as work:
            return batches.get_batch(work, current_identity(), batch_id)


def _said_batch(work, batch_id: int) -> None:
    """操作日志 names the batch acted on by its number (scoped: outside the caller's scope this
    answers 404, as the action itself would)."""
    audit_subject(f"批次 {batches.get_batch(work, current_identity(), batch_id).batch_no}")


def _voucher_file(voucher, inline: bool):
    # inline: shown in the page (an image, a PDF in a frame); otherwise downloaded
    return download(voucher.content, voucher.filename, voucher.media_type, inline=inline)


def _add_voucher(form, batch_id: int):
    """One more voucher on the batch (both upload routes): the file from the multipart body."""
    content, filename = file_from_request()
    with uow() as work:
        _said_batch(work, batch_id)
        return vouchers.upload_voucher(
            work,
            current_identity(),
            batch_id,
            content,
            filename,
            form["amount"],
            form["paid_on"],
            settings.load().voucher_max_bytes,
        )


@blp.route("/batches/<int(max=2147483647):batch_id>/vouchers")
class BatchVouchers(MethodView):
    @roles("centre", "district")
    @blp.response(200, VoucherOut(many=True))
    def get(self, batch_id):
        """缴费凭证 of a batch: every one, withdrawn ones too, oldest first."""
        with uow() as work:
            return vouchers.list_vouchers(work, current_identity(), batch_id)

    @roles("district")
    @blp.arguments(VoucherForm, location="form", content_type="multipart/form-data")
    @blp.response(201, VoucherOut)
    def post(self, form, batch_id):
        """上传缴费凭证 (district; multipart: file, amount, paid_on): adds one to the batch's vouchers
        (never replaces one), until the batch is written off."""
        return _add_voucher(form, batch_id)


@blp.route("/batches/<int(max=2147483647):batch_id>/vouchers/<int(max=2147483647):voucher_id>/file")
class BatchVoucherFile(MethodView):
    @roles("centre", "district")
    @blp.arguments(VoucherFileQuery, location="query")
    @downloads(*MEDIA_TYPES)
    def get(self, query, batch_id, voucher_id):
        """One voucher's file: downloaded, or with `inline=true` shown in the page."""
        with uow() as work:
            voucher = vouchers.get_voucher(work, current_identity(), batch_id, voucher_id)
            return _voucher_file(voucher, query.get("inline", False))


@blp.route("/batches/<int(max=2147483647):batch_id>/vouchers/<int(max=2147483647):voucher_id>/withdrawal")
class BatchVoucherWithdrawal(MethodView):
    @roles("district")
    @blp.arguments(WithdrawIn)
    @blp.response(200, VoucherOut)
    def post(self, data, batch_id, voucher_id):
        """撤回凭证 (district), with a reason, before 核销: kept, marked withdrawn, no longer counted."""
        with uow() as work:
            _said_batch(work, batch_id)
            return vouchers.withdraw_voucher(work, current_identity(), batch_id, voucher_id, data["reason"])


@blp.route("/batches/<int(max=2147483647):batch_id>/voucher")
class BatchVoucher(MethodView):
    """The one-voucher API of before, kept for one release: POST adds (as /vouchers does), GET
    downloads the latest voucher still counted."""

    @roles("district")
    @blp.arguments(VoucherForm, location="form", content_type="multipart/form-data")
    @blp.response(201, VoucherOut)
    def post(self, form, batch_id):
        """上传缴费凭证 (deprecated: use POST /batches/{batch_id}/vouchers). Adds; never replaces."""
        return _add_voucher(form, batch_id)

    @roles("centre", "district")
    @downloads(*MEDIA_TYPES)
    def get(self, batch_id):
        """下载缴费凭证 (deprecated): the latest one still counted."""
        with uow() as work:
            return _voucher_file(vouchers.latest_voucher(work, current_identity(), batch_id), inline=False)


@blp.route("/batches/<int(max=2147483647):batch_id>/payment-detail.xlsx")
class BatchPaymentDetail(MethodView):
    @roles("centre", "district")
    @downloads(XLSX)
    def get(self, batch_id):
        """集中参保缴费明细 (.xlsx): the same workbook the handler received by e-mail."""
        from common.excel import CONTENT_TYPE
        from services.billing.adapters.mail import payment_detail_workbook

        with uow() as work:
            batch = batches.get_batch(work, current_identity(), batch_id)
            content = payment_detail_workbook(contracts.batch_priced_data(batch, settings.load().payee))
        return download(content, f"集中参保缴费明细-{batch.batch_no}.xlsx", CONTENT_TYPE)


@blp.route("/batches/<int(max=2147483647):batch_id>/feedback")
class BatchFeedback(MethodView):
    @roles("centre", "district")
    @blp.response(200, FeedbackOut(many=True))
    def get(self, batch_id):
        """职保中心反馈 of a batch (the district reads them)."""
        with uow() as work:
            return batches.list_feedback(work, current_identity(), batch_id)

    @roles("centre")
    @blp.arguments(FeedbackIn)
    @blp.response(201, FeedbackOut)
    def post(self, data, batch_id):
        """反馈 (centre), e.g. 金额不足."""
        with uow() as work:
            _said_batch(work, batch_id)
            return batches.give_feedback(work, current_identity(), batch_id, data["message"])


@blp.route("/batches/<int(max=2147483647):batch_id>/write-off")
class BatchWriteOff(MethodView):
    @roles("centre")
    @blp.arguments(WriteOffIn)
    @blp.response(200, BatchOut)
    def post(self, data, batch_id):
        """核销 (centre): amount received, date, bank reference. Final. An amount above what is due
        (多缴) needs `overpayment`: credit (the district's credit for the next year) or refund
        (recorded as refunded, by the caller, now); without it 422 OVERPAYMENT_CHOICE_REQUIRED."""
        with uow() as work:
            _said_batch(work, batch_id)
            return batches.write_off(
                work,
                current_identity(),
                batch_id,
                data["amount"],
                data["received_on"],
                data["bank_reference"],
                data["overpayment"],
                data["refund_note"],
            )
