"""HTTP entry points for enrolment: the confirmation list, submissions and district review
(/confirmation, /submissions, /to-submit) and batches (/batches)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import audit_subject, current_identity, roles, uow
from services.enrollment.handlers import batches, eligibility, review, submissions
from services.enrollment.domain import people_search
from services.enrollment.domain.enrolment import COVER_TYPES, INSTANT_KINDS, MODES

blp = Blueprint("enrolment", __name__, description="集中参保、即时参保、区局审核与参保批次")

_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100), metadata={"description": "保障年度"})
_mode = fields.String(load_default="centralised", validate=validate.OneOf(MODES),
                      metadata={"description": "centralised 集中参保 / instant 即时参保"})
_kind = fields.String(validate=validate.OneOf(INSTANT_KINDS),
                      metadata={"description": "即时参保：no_cover 有卡无保人员 / new_card 新办卡人员"})
_type = fields.String(validate=validate.OneOf(COVER_TYPES), metadata={"description": "保障类型 A / A+ / B / B+"})


class Totals(BaseSchema):
    headcount = fields.Integer(metadata={"description": "参保人数"})
    premium_fen = fields.Integer(metadata={"description": "保障费用（分）"})
    city_subsidy_fen = fields.Integer(metadata={"description": "市总统一划拨（分）"})
    district_share_fen = fields.Integer(metadata={"description": "区局/各级工会缴费（分）"})
    grassroots_share_fen = fields.Integer(metadata={"description": "基层单位缴费（分）"})


class Window(BaseSchema):
    start = fields.Date()
    end = fields.Date()
    open = fields.Boolean()


class ConfirmationQuery(PageQuery):
    cover_year = _year
    mode = _mode
    kind = _kind
    type = _type


class MemberRow(BaseSchema):
    member_id = fields.Integer()
    name = fields.String(metadata={"description": "姓名"})
    id_type = fields.String(metadata={"description": "证件类型 resident 身份证 / other 其他"})
    id_number = fields.String(metadata={"description": "证件号码（隐去中间位，如 3101**********1234）"})
    card_number = fields.String(metadata={"description": "银行卡号（会员服务卡号，隐去中间位）"})
    cover_start = fields.Date(metadata={"description": "起保日期"})
    cover_end = fields.Date(metadata={"description": "终保日期"})
    price_class = fields.String()
    half_or_full = fields.String(metadata={"description": "半年/全年"})
    status = fields.String()


class Confirmation(BaseSchema):
    cover_year = fields.Integer()
    mode = fields.String()
    kind = fields.String(allow_none=True)
    chosen_type = fields.String(allow_none=True, metadata={"description": "本年度已选择的保障类型"})
    type = fields.String(allow_none=True)
    headcount = fields.Integer()
    district_id = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "按计价类别的人数；金额由计费服务试算：POST /billing/quotes/{year}"})
    window = fields.Nested(Window)
    cover_start = fields.Date()
    cover_end = fields.Date()
    pay_by = fields.Date(allow_none=True, metadata={"description": "基层工会划款至区局截止日（集中参保）"})
    instant_payment_days = fields.Integer(allow_none=True, metadata={
        "description": "即时参保：提交后多少天内划款至区局（本年度设置；提交后计费服务给出具体日期）"})
    items = fields.List(fields.Nested(MemberRow))
    members_behind = fields.Boolean(allow_none=True, metadata={
        "description": "true: member changes are still on their way to this list (show 名单同步中…); "
                       "null: not known yet (the broker has not answered)"})
    members_pending_events = fields.Integer(allow_none=True, metadata={
        "description": "member events not yet applied here, as of a look at most 5 s old"})


class SubmissionIn(BaseSchema):
    cover_year = _year
    mode = _mode
    kind = _kind
    type = fields.String(required=True, validate=validate.OneOf(COVER_TYPES),
                         metadata={"description": "保障类型；同一保障年度只能选择一个"})
    member_ids = fields.List(fields.Integer(), validate=validate.Length(max=100_000),
                             metadata={"description": "只提交这些会员（缺省为全部符合条件的会员）"})


class SubmissionOut(BaseSchema):
    id = fields.Integer()
    union_id = fields.Integer()
    union_name = fields.String(allow_none=True)
    credit_code = fields.String(allow_none=True, metadata={"description": "组织机构代码"})
    district_id = fields.Integer()
    cover_year = fields.Integer()
    mode = fields.String()
    kind = fields.String(allow_none=True)
    type = fields.String()
    status = fields.String(metadata={"description": "submitted/returned/staged/in_batch/paid/failed"})
    status_text = fields.String()
    headcount = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    sequence = fields.Integer()
    submitted_at = Timestamp()
    updated_at = Timestamp()
    return_reason = fields.String(allow_none=True)
    returned_at = Timestamp(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    batch_no = fields.String(allow_none=True, metadata={"description": "批次编号（已提交市职保中心后）"})
    totals = fields.Nested(Totals, allow_none=True, metadata={"description": "计费服务的计价结果；计价完成前为空"})
    priced = fields.Boolean(metadata={"description": "计费服务是否已计价"})
    pay_by = fields.Date(allow_none=True, metadata={"description": "基层工会划款至区局截止日（计费服务）"})


class SubmissionDetail(SubmissionOut):
    members = fields.List(fields.Nested(MemberRow))
    members_total = fields.Integer(metadata={"description": "符合查询条件的人数（分页用）"})


class SubmissionDetailQuery(PageQuery):
    search = fields.String(validate=validate.Length(max=50), metadata={
        "description": f"{people_search.HINT}（证件号码加密保存，不支持按其中任意几位查询）"})


class SubmissionQuery(PageQuery):
    cover_year = fields.Integer()
    mode = fields.String(validate=validate.OneOf(MODES))
    type = _type
    status = fields.String(validate=validate.OneOf(["submitted", "returned", "staged", "in_batch", "paid", "failed"]))
    union_id = fields.Integer()
    batch_id = fields.Integer()
    union_name = fields.String(metadata={"description": "单位名称（包含）"})
    credit_code = fields.String(metadata={"description": "组织机构代码"})
    batch_no = fields.String(validate=validate.Length(max=30), metadata={"description": "批次编号（包含）"})
    submitted_from = fields.Date(metadata={"description": "提交时间起（含）"})
    submitted_to = fields.Date(metadata={"description": "提交时间止（含）"})


class SubmissionPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(SubmissionOut))


class ReturnIn(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata={"description": "退回原因"})


class Empty(BaseSchema):
    pass


class ToSubmitQuery(BaseSchema):
    cover_year = _year
    mode = _mode


class ToSubmit(BaseSchema):
    cover_year = fields.Integer()
    mode = fields.String()
    items = fields.List(fields.Nested(SubmissionOut))
    headcount = fields.Integer()
    totals = fields.Nested(Totals, allow_none=True)
    prices_pending = fields.Boolean()
    credit_available_fen = fields.Integer(allow_none=True, metadata={"description": "可用于抵扣的清算分配款（分）"})


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
    status = fields.String(validate=validate.OneOf(["submitted", "voucher_uploaded", "feedback_given", "written_off",
                                                    "failed"]))
    district_id = fields.Integer()
    batch_no = fields.String()
    submitted_from = fields.Date()
    submitted_to = fields.Date()


class BatchPage(BaseSchema):
    total = fields.Integer()
    items = fields.List(fields.Nested(BatchOut))


@blp.route("/confirmation")
class ConfirmationView(MethodView):
    @roles("grassroots")
    @blp.arguments(ConfirmationQuery, location="query")
    @blp.response(200, Confirmation)
    def get(self, q):
        """参保确认画面: eligible members (paged) with the header totals."""
        with uow() as work:
            return eligibility.confirmation(work, current_identity(), q["cover_year"], q["mode"], q.get("kind"),
                                         q.get("type"), q["page"], q["per_page"])


@blp.route("/submissions")
class Submissions(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(SubmissionQuery, location="query")
    @blp.response(200, SubmissionPage)
    def get(self, q):
        """参保提交列表, scoped; for a district with status=submitted, the pending list (待审批参保列表)."""
        page, per_page = q.pop("page"), q.pop("per_page")
        with uow() as work:
            total, items = submissions.list_submissions(work, current_identity(), q, page, per_page)
            return {"total": total, "items": items}

    @roles("grassroots")
    @blp.arguments(SubmissionIn)
    @blp.response(201, SubmissionOut)
    def post(self, data):
        """提交至区局审核 (grassroots): centralised or instant; resubmitting adds the newly eligible."""
        with uow() as work:
            sub = submissions.submit(work, current_identity(), data["cover_year"], data["mode"], data["type"],
                                  data.get("kind"), data.get("member_ids"))
        with uow() as work:
            return _said(submissions.submission_detail(work, current_identity(), sub.id, per_page=0)) | {"members": []}


@blp.route("/submissions/<int:submission_id>")
class SubmissionItem(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(SubmissionDetailQuery, location="query")
    @blp.response(200, SubmissionDetail)
    def get(self, q, submission_id):
        """参保提交详情 with its members (paged, searchable by name or ID number), in scope only."""
        with uow() as work:
            return submissions.submission_detail(work, current_identity(), submission_id, q["page"], q["per_page"],
                                                 q.get("search"))


MODE_NAMES = {"centralised": "集中参保", "instant": "即时参保"}


def _said(detail: dict) -> dict:
    """操作日志 names the submission acted on: whose, which year and mode, type and headcount."""
    audit_subject(f"{detail.get('union_name') or '基层工会'} {detail['cover_year']}年度"
                  f"{MODE_NAMES.get(detail['mode'], '')}（保障类型 {detail['type']}，{detail['headcount']} 人）")
    return detail


def _after(submission_id):
    with uow() as work:
        return _said(submissions.submission_detail(work, current_identity(), submission_id, per_page=0))


@blp.route("/submissions/<int:submission_id>/return")
class ReturnSubmission(MethodView):
    @roles("district")
    @blp.arguments(ReturnIn)
    @blp.response(200, SubmissionOut)
    def post(self, data, submission_id):
        """退回 (district): send a pending submission back to the union with a reason."""
        with uow() as work:
            review.return_submission(work, current_identity(), submission_id, data["reason"])
        return _after(submission_id)


@blp.route("/submissions/<int:submission_id>/stage")
class StageSubmission(MethodView):
    @roles("district")
    @blp.arguments(Empty)
    @blp.response(200, SubmissionOut)
    def post(self, _data, submission_id):
        """添加至待提交 (district)."""
        with uow() as work:
            review.stage_submission(work, current_identity(), submission_id, True)
        return _after(submission_id)


@blp.route("/submissions/<int:submission_id>/unstage")
class UnstageSubmission(MethodView):
    @roles("district")
    @blp.arguments(Empty)
    @blp.response(200, SubmissionOut)
    def post(self, _data, submission_id):
        """移除 (district): back from the to-submit list to the pending list."""
        with uow() as work:
            review.stage_submission(work, current_identity(), submission_id, False)
        return _after(submission_id)


@blp.route("/to-submit")
class ToSubmitView(MethodView):
    @roles("district")
    @blp.arguments(ToSubmitQuery, location="query")
    @blp.response(200, ToSubmit)
    def get(self, q):
        """待提交参保列表 with totals and the settlement credit available."""
        with uow() as work:
            return review.to_submit(work, current_identity(), q["cover_year"], q["mode"])


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
