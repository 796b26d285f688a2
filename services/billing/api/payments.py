"""HTTP entry points for what is owed and paid: submissions, batches, vouchers, feedback,
write-off, reconciliation, settlement credits, bank statements, ledger, dashboard."""
from __future__ import annotations

import json

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.api_docs import XLSX, downloads, file_upload
from common.downloads import download
from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import current_identity, roles, uow
from services.billing import contracts
from services.billing.api.schemas import Id, Year, Yuan, file_from_request
from services.billing.domain.voucher import MEDIA_TYPES
from services.billing.handlers import payments, pricing, reports
from services.billing.settings import voucher_max_bytes

blp = Blueprint("payments", __name__, description="应缴、缴费凭证、反馈、核销、清算分配款、银行流水、台账与统计")

BATCH_STATUSES = ("awaiting_payment", "voucher_uploaded", "written_off", "overdue")


class YearQuery(BaseSchema):
    cover_year = Year()


class SubmissionQuery(PageQuery):
    cover_year = Year()
    union_id = Id()


class SubmissionOut(BaseSchema):
    submission_id = fields.Integer()
    union_id = fields.Integer()
    district_id = fields.Integer()
    cover_year = fields.Integer()
    type = fields.String(attribute="cover_type")
    mode = fields.String()
    counts = fields.Function(lambda s: json.loads(s.counts))
    headcount = fields.Integer()
    premium_fen = fields.Integer()
    city_subsidy_fen = fields.Integer()
    district_share_fen = fields.Integer()
    grassroots_share_fen = fields.Integer()
    grassroots_owes_fen = fields.Function(lambda s: s.grassroots_share_fen)
    pay_by = fields.Date(allow_none=True)
    status = fields.String()


class SubmissionPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(SubmissionOut))


class BatchQuery(YearQuery):
    district_id = Id()
    status = fields.String(validate=validate.OneOf(BATCH_STATUSES))


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
    status = fields.String()
    submitted_at = fields.String()
    paid_fen = fields.Integer(allow_none=True, metadata={"description": "凭证所填缴费金额（未必到账）"})
    voucher_declared_fen = fields.Function(lambda b: b.paid_fen or 0, metadata={"description": "已上传凭证金额"})
    money_received_fen = fields.Function(lambda b: reports.money_received_fen(b),
                                         metadata={"description": "已缴：核销或银行流水确认到账的金额"})
    paid_on = fields.Date(allow_none=True)
    voucher_uploaded_at = Timestamp(allow_none=True)
    bank_matched_fen = fields.Integer()
    feedback_at = Timestamp(allow_none=True)
    written_off_at = Timestamp(allow_none=True)
    received_fen = fields.Integer(allow_none=True)
    received_on = fields.Date(allow_none=True)
    bank_reference = fields.String(allow_none=True)


class VoucherForm(BaseSchema):
    amount = Yuan(required=True, metadata={"description": "缴费金额（元）"})
    paid_on = fields.Date(required=True, metadata={"description": "缴费日期"})
    # Read by the view from request.files; declared here so that the form's documentation has it.
    file = fields.Raw(load_only=True, metadata={"type": "string", "format": "binary",
                                                "description": "the voucher: JPEG, PNG or PDF (required)"})


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
    due_fen = fields.Integer()
    declared_paid_fen = fields.Integer(allow_none=True)
    voucher_declared_fen = fields.Integer(metadata={"description": "已上传凭证金额（凭证所填，未必到账）"})
    bank_matched_fen = fields.Integer()
    received_fen = fields.Integer(allow_none=True)
    paid_fen = fields.Integer(metadata={"description": "已缴：银行流水匹配或核销时确认到账的金额"})
    difference_fen = fields.Integer()
    pay_by = fields.Date(allow_none=True)
    voucher_uploaded_at = Timestamp(allow_none=True)
    feedback_at = Timestamp(allow_none=True)
    written_off_at = Timestamp(allow_none=True)
    write_off_prefill = fields.Nested(WriteOffPrefill, allow_none=True,
                                      metadata={"description": "核销预填：来自已匹配的银行流水"})


class CreditIn(BaseSchema):
    district_id = Id(required=True)
    source_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    designated_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    amount = Yuan(required=True)
    memo = fields.String(load_default="", validate=validate.Length(max=200))


class CreditOut(BaseSchema):
    id = fields.Integer()
    district_id = fields.Integer()
    source_year = fields.Integer()
    designated_year = fields.Integer()
    amount_fen = fields.Integer()
    memo = fields.String()
    recorded_at = Timestamp()


class CreditQuery(BaseSchema):
    district_id = Id()


class StatementLineOut(BaseSchema):
    row = fields.Integer()
    paid_on = fields.Date()
    payer = fields.String()
    amount_fen = fields.Integer()
    memo = fields.String()
    batch_id = fields.Integer(allow_none=True)
    batch_no = fields.String(allow_none=True, metadata={"description": "匹配批次"})
    matched = fields.Boolean()
    reason_code = fields.String()
    reason = fields.String()
    match_method = fields.String(allow_none=True, metadata={"description": "匹配方式（已匹配的行）"})
    unmatched_reason = fields.String(allow_none=True, metadata={"description": "未匹配原因（未匹配的行）"})


class StatementOut(BaseSchema):
    id = fields.Integer()
    filename = fields.String()
    uploaded_at = Timestamp()
    line_count = fields.Integer()
    matched_count = fields.Integer()
    unmatched_count = fields.Integer()
    total_fen = fields.Integer(metadata={"description": "流水合计金额（分）"})
    matched_fen = fields.Integer(metadata={"description": "已匹配金额（分）"})
    unmatched_fen = fields.Integer(metadata={"description": "未匹配金额（分）"})
    lines = fields.List(fields.Nested(StatementLineOut))


class LedgerQuery(PageQuery):
    cover_year = Year()
    district_id = Id()
    union_id = Id()
    batch_id = Id()


class LedgerOut(BaseSchema):
    id = fields.Integer()
    at = Timestamp()
    cover_year = fields.Integer()
    district_id = fields.Integer()
    union_id = fields.Integer(allow_none=True)
    account = fields.String()
    kind = fields.String()
    amount_fen = fields.Integer()
    submission_id = fields.Integer(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    credit_id = fields.Integer(allow_none=True)
    note = fields.String()
    recorded_by = fields.String(metadata={"description": "经办人，或引起此记录的事件"})


class LedgerPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(LedgerOut))


class OverdueOut(BaseSchema):
    reported = fields.List(fields.Integer())


class TypeFigures(BaseSchema):
    headcount = fields.Integer()
    premium_fen = fields.Integer()
    union_share_fen = fields.Integer()


class DistrictFigures(BaseSchema):
    """A district's batches of the year, summed (centre: every district; district: its own)."""
    district_id = fields.Integer()
    district_name = fields.String(allow_none=True)
    batches = fields.Integer()
    overdue_batches = fields.Integer()
    headcount = fields.Integer()
    premium_fen = fields.Integer()
    union_share_fen = fields.Integer()
    credit_applied_fen = fields.Integer()
    due_fen = fields.Integer()
    paid_fen = fields.Integer(metadata={"description": "已缴: money received"})
    voucher_declared_fen = fields.Integer(metadata={"description": "已上传凭证金额"})
    outstanding_fen = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Nested(TypeFigures),
                          metadata={"description": "per cover type"})


class UnionFigures(BaseSchema):
    """A union's priced submissions of the year: what it owes its district."""
    union_id = fields.Integer()
    union_name = fields.String(allow_none=True)
    district_id = fields.Integer(allow_none=True)
    headcount = fields.Integer()
    premium_fen = fields.Integer()
    grassroots_owes_fen = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "headcount per type"})


class DashboardOut(BaseSchema):
    cover_year = fields.Integer()
    payment_deadline = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD; null without a cover year"})
    days_to_payment_deadline = fields.Integer(allow_none=True)
    districts = fields.List(fields.Nested(DistrictFigures), metadata={"description": "centre and district only"})
    unions = fields.List(fields.Nested(UnionFigures))


# ------------------------------------------------------------------ submissions and batches

@blp.route("/submissions")
class Submissions(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(SubmissionQuery, location="query")
    @blp.response(200, SubmissionPage)
    def get(self, query):
        """已计费的参保提交 (scoped, paged): what each submission costs and what the union owes."""
        with uow() as work:
            total, items = reports.list_submissions(work, current_identity(), **query)
            return {"total": total, "items": items}


@blp.route("/batches")
class Batches(MethodView):
    @roles("centre", "district")
    @blp.arguments(BatchQuery, location="query")
    @blp.response(200, BatchOut(many=True))
    def get(self, query):
        """参保批次 with their price and payment state (district: its own)."""
        with uow() as work:
            return payments.list_batches(work, current_identity(), **query)


@blp.route("/batches/<int(max=2147483647):batch_id>")
class BatchItem(MethodView):
    @roles("centre", "district")
    @blp.response(200, BatchOut)
    def get(self, batch_id):
        """批次详情."""
        with uow() as work:
            return payments.get_batch(work, current_identity(), batch_id)


@blp.route("/batches/<int(max=2147483647):batch_id>/voucher")
class BatchVoucher(MethodView):
    @roles("district")
    @blp.arguments(VoucherForm, location="form", content_type="multipart/form-data")
    @blp.response(201, VoucherOut)
    def post(self, form, batch_id):
        """上传缴费凭证 (district; multipart: file, amount, paid_on). Replaces the previous one
        until the batch is written off."""
        content, filename = file_from_request()
        with uow() as work:
            return payments.upload_voucher(work, current_identity(), batch_id, content, filename, form["amount"],
                                           form["paid_on"], voucher_max_bytes())

    @roles("centre", "district")
    @downloads(*MEDIA_TYPES)
    def get(self, batch_id):
        """下载缴费凭证 (the current one)."""
        with uow() as work:
            voucher = payments.current_voucher(work, current_identity(), batch_id)
            return download(voucher.content, voucher.filename, voucher.media_type)


@blp.route("/batches/<int(max=2147483647):batch_id>/payment-detail.xlsx")
class BatchPaymentDetail(MethodView):
    @roles("centre", "district")
    @downloads(XLSX)
    def get(self, batch_id):
        """集中参保缴费明细 (.xlsx): the same workbook the handler received by e-mail."""
        from common.excel import CONTENT_TYPE
        from services.billing.adapters.mail import payment_detail_workbook

        with uow() as work:
            batch = payments.get_batch(work, current_identity(), batch_id)
            content = payment_detail_workbook(contracts.batch_priced_data(batch))
        return download(content, f"集中参保缴费明细-{batch.batch_no}.xlsx", CONTENT_TYPE)


@blp.route("/batches/<int(max=2147483647):batch_id>/feedback")
class BatchFeedback(MethodView):
    @roles("centre", "district")
    @blp.response(200, FeedbackOut(many=True))
    def get(self, batch_id):
        """职保中心反馈 of a batch (the district reads them)."""
        with uow() as work:
            return payments.list_feedback(work, current_identity(), batch_id)

    @roles("centre")
    @blp.arguments(FeedbackIn)
    @blp.response(201, FeedbackOut)
    def post(self, data, batch_id):
        """反馈 (centre), e.g. 金额不足."""
        with uow() as work:
            return payments.give_feedback(work, current_identity(), batch_id, data["message"])


@blp.route("/batches/<int(max=2147483647):batch_id>/write-off")
class BatchWriteOff(MethodView):
    @roles("centre")
    @blp.arguments(WriteOffIn)
    @blp.response(200, BatchOut)
    def post(self, data, batch_id):
        """核销 (centre): amount received, date, bank reference. Final."""
        with uow() as work:
            return payments.write_off(work, current_identity(), batch_id, data["amount"], data["received_on"],
                                      data["bank_reference"])


@blp.route("/reconciliation")
class Reconciliation(MethodView):
    @roles("centre")
    @blp.arguments(BatchQuery, location="query")
    @blp.response(200, ReconciliationOut(many=True))
    def get(self, query):
        """对账核销列表 (centre): per batch due, paid, difference."""
        with uow() as work:
            return reports.reconciliation(work, current_identity(), **query)


# ------------------------------------------------------------------ settlement credits

@blp.route("/credits")
class Credits(MethodView):
    @roles("centre", "district")
    @blp.arguments(CreditQuery, location="query")
    @blp.response(200, CreditOut(many=True))
    def get(self, query):
        """清算分配款 (district: its own)."""
        with uow() as work:
            return pricing.list_credits(work, current_identity(), query.get("district_id"))

    @roles("centre")
    @blp.arguments(CreditIn)
    @blp.response(201, CreditOut)
    def post(self, data):
        """登记一笔清算分配款 (centre)."""
        with uow() as work:
            return pricing.record_credit(work, current_identity(), data["district_id"], data["designated_year"],
                                          data["source_year"], data["amount"], data["memo"])


@blp.route("/credits/import")
class CreditImport(MethodView):
    @roles("centre")
    @file_upload()
    @blp.response(201, CreditOut(many=True))
    def post(self):
        """从 Excel 导入清算分配款 (centre; columns 区局（产业）工会, 清算年度, 抵扣年度, 金额, 备注): all or nothing."""
        content, _ = file_from_request()
        with uow() as work:
            return pricing.import_credits(work, current_identity(), content)


# ------------------------------------------------------------------ bank statements

@blp.route("/bank-statements")
class BankStatements(MethodView):
    @roles("centre")
    @file_upload("the bank's statement (.xlsx / .xls)")
    @blp.response(201, StatementOut)
    def post(self):
        """导入银行流水 (centre; Excel columns 日期, 付款人, 金额, 摘要): each line matched or given a reason."""
        content, filename = file_from_request()
        with uow() as work:
            statement = payments.import_bank_statement(work, current_identity(), content, filename)
            return payments.statement_result(work, current_identity(), statement.id)


@blp.route("/templates/<any('bank-statement', credits):name>")
class Templates(MethodView):
    @roles("centre")
    @downloads(XLSX)
    def get(self, name):
        """Excel templates: 银行流水 (bank-statement) and 清算分配款 (credits)."""
        from common.excel import CONTENT_TYPE
        from services.billing.adapters.excel import template

        content, filename = template(name)
        return download(content, filename, CONTENT_TYPE)


@blp.route("/bank-statements/<int(max=2147483647):statement_id>")
class BankStatementItem(MethodView):
    @roles("centre")
    @blp.response(200, StatementOut)
    def get(self, statement_id):
        """一次银行流水导入的结果."""
        with uow() as work:
            return payments.statement_result(work, current_identity(), statement_id)


# ------------------------------------------------------------------ ledger, dashboard, deadline

@blp.route("/ledger")
class Ledger(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(LedgerQuery, location="query")
    @blp.response(200, LedgerPage)
    def get(self, query):
        """台账: every amount with what and why (scoped)."""
        with uow() as work:
            total, items = reports.ledger(work, current_identity(), **query)
            return {"total": total, "items": items}


@blp.route("/dashboard/<int(min=2000, max=2100):year>")
class Dashboard(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.response(200, DashboardOut)
    def get(self, year):
        """统计: per district due/paid/outstanding by type; per union owed to its district (scoped)."""
        with uow() as work:
            return reports.dashboard(work, current_identity(), year)


@blp.route("/jobs/overdue")
class OverdueJob(MethodView):
    @roles("centre")
    @blp.response(200, OverdueOut)
    def post(self):
        """Run the deadline check now (also `python -m services.billing.jobs overdue`)."""
        with uow() as work:
            return {"reported": payments.report_overdue(work)}
