"""Jobs run on demand: the payment deadline check (also `python -m services.billing.jobs overdue`)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from common.schema import BaseSchema
from common.web import roles, uow
from services.billing.handlers import overdue

blp = Blueprint("jobs", __name__, description="定时任务")


class OverdueOut(BaseSchema):
    reported = fields.List(fields.Integer())


@blp.route("/jobs/overdue")
class OverdueJob(MethodView):
    @roles("centre")
    @blp.response(200, OverdueOut)
    def post(self):
        """Run the deadline check now (also `python -m services.billing.jobs overdue`)."""
        with uow() as work:
            return {"reported": overdue.report_overdue(work)}
