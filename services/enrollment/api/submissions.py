"""Submissions (参保提交): a union submits and lists its own; a district reviews, returns, stages
and unstages them."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.schema import BaseSchema, PageQuery
from common.web import audit_subject, current_identity, roles, uow
from services.enrollment.api.schemas import (
    Empty,
    SubmissionDetail,
    SubmissionOut,
    _kind,
    _mode,
    _type,
    _year,
)
from services.enrollment.domain import people_search
from services.enrollment.domain.enrolment import COVER_TYPES, MODES
from services.enrollment.handlers import review, submission_lists, submissions

blp = Blueprint("submissions", __name__, description="参保提交与区局审核")


class SubmissionIn(BaseSchema):
    cover_year = _year
    mode = _mode
    kind = _kind
    type = fields.String(
        required=True,
        validate=validate.OneOf(COVER_TYPES),
        metadata={"description": "保障类型；同一保障年度只能选择一个"},
    )
    member_ids = fields.List(
        fields.Integer(),
        validate=validate.Length(max=100_000),
        metadata={"description": "只提交这些会员（缺省为全部符合条件的会员）"},
    )


class SubmissionDetailQuery(PageQuery):
    search = fields.String(
        validate=validate.Length(max=50),
        metadata={"description": f"{people_search.HINT}（证件号码加密保存，不支持按其中任意几位查询）"},
    )


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
    reason = fields.String(
        required=True, validate=validate.Length(min=1, max=500), metadata={"description": "退回原因"}
    )


@blp.route("/submissions")
class Submissions(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(SubmissionQuery, location="query")
    @blp.response(200, SubmissionPage)
    def get(self, q):
        """参保提交列表, scoped; for a district with status=submitted, the pending list (待审批参保列表)."""
        page, per_page = q.pop("page"), q.pop("per_page")
        with uow() as work:
            total, items = submission_lists.list_submissions(work, current_identity(), q, page, per_page)
            return {"total": total, "items": items}

    @roles("grassroots")
    @blp.arguments(SubmissionIn)
    @blp.response(201, SubmissionOut)
    def post(self, data):
        """提交至区局审核 (grassroots): centralised or instant; resubmitting adds the newly eligible."""
        with uow() as work:
            sub = submissions.submit(
                work,
                current_identity(),
                data["cover_year"],
                data["mode"],
                data["type"],
                data.get("kind"),
                data.get("member_ids"),
            )
        with uow() as work:
            return _said(submission_lists.submission_detail(work, current_identity(), sub.id, per_page=0)) | {
                "members": []
            }


@blp.route("/submissions/<int:submission_id>")
class SubmissionItem(MethodView):
    @roles("centre", "district", "grassroots")
    @blp.arguments(SubmissionDetailQuery, location="query")
    @blp.response(200, SubmissionDetail)
    def get(self, q, submission_id):
        """参保提交详情 with its members (paged, searchable by name or ID number), in scope only."""
        with uow() as work:
            return submission_lists.submission_detail(
                work, current_identity(), submission_id, q["page"], q["per_page"], q.get("search")
            )


MODE_NAMES = {"centralised": "集中参保", "instant": "即时参保"}


def _said(detail: dict) -> dict:
    """操作日志 names the submission acted on: whose, which year and mode, type and headcount."""
    audit_subject(
        f"{detail.get('union_name') or '基层工会'} {detail['cover_year']}年度"
        f"{MODE_NAMES.get(detail['mode'], '')}（保障类型 {detail['type']}，{detail['headcount']} 人）"
    )
    return detail


def _after(submission_id):
    """The submission as it is after a review action (its detail without the member list)."""
    with uow() as work:
        return _said(submission_lists.submission_detail(work, current_identity(), submission_id, per_page=0))


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
