"""The district's list to submit (待提交): the staged submissions, their totals and credit."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from common.schema import BaseSchema
from common.web import current_identity, roles, uow
from services.enrollment.api.schemas import (
    SubmissionOut,
    Totals,
    _mode,
    _year,
)
from services.enrollment.handlers import review

blp = Blueprint("review", __name__, description="待提交列表")


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


@blp.route("/to-submit")
class ToSubmitView(MethodView):
    @roles("district")
    @blp.arguments(ToSubmitQuery, location="query")
    @blp.response(200, ToSubmit)
    def get(self, q):
        """待提交参保列表 with totals and the settlement credit available."""
        with uow() as work:
            return review.to_submit(work, current_identity(), q["cover_year"], q["mode"])
