"""HTTP entry points for deadline reminders (截止提醒, the centre)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.schema import BaseSchema, Timestamp
from common.web import audit_subject, current_identity, roles, uow
from services.notifications.domain.reminders import LABELS, REMINDED
from services.notifications.handlers import reminder_report, reminders

blp = Blueprint("reminders", __name__, description="截止日提醒：提前天数设置、提醒情况、手动提醒（市职保中心）")


class DaysIn(BaseSchema):
    days_before = fields.List(
        fields.Integer(), required=True, metadata={"description": "截止日前几天提醒，如 [7, 3, 1]"}
    )


class DaysOut(BaseSchema):
    cover_year = fields.Integer()
    days_before = fields.List(fields.Integer())


class SentOut(BaseSchema):
    days_before = fields.Integer()
    sent_by = fields.String(metadata={"description": "job（定时任务）或手动提醒的用户名"})
    count = fields.Integer()
    at = Timestamp()


class PendingOut(BaseSchema):
    id = fields.Integer(metadata={"description": "基层工会或区局的 id"})
    name = fields.String(allow_none=True)
    last_reminded_at = Timestamp(allow_none=True)


class DeadlineOut(BaseSchema):
    key = fields.String()
    label = fields.String()
    date = fields.Date()
    audience = fields.String(metadata={"description": "union（基层工会）或 district（区局）"})
    days_left = fields.Integer()
    remindable = fields.Boolean(metadata={"description": "false：只列出截止日（参保金额比例设置），暂不提醒"})
    reminded = fields.Integer(metadata={"description": "已提醒的单位数"})
    not_acted_count = fields.Integer(
        allow_none=True, metadata={"description": "仍未办理的单位数（不提醒的事项为 null）"}
    )
    sent = fields.List(fields.Nested(SentOut))
    not_acted = fields.List(fields.Nested(PendingOut), metadata={"description": "仍未办理的单位（前 50 个）"})


class ReportOut(BaseSchema):
    cover_year = fields.Integer()
    days_before = fields.List(fields.Integer())
    deadlines = fields.List(fields.Nested(DeadlineOut))


class SendIn(BaseSchema):
    ids = fields.List(
        fields.Integer(),
        load_default=None,
        validate=validate.Length(max=100_000),
        metadata={"description": "只提醒其中这些单位；不填则提醒全部未办理的"},
    )


class SendOut(BaseSchema):
    reminded = fields.Integer()
    not_acted = fields.Integer()


@blp.route("/reminders/<int:cover_year>")
class Report(MethodView):
    @roles("centre")
    @blp.response(200, ReportOut)
    def get(self, cover_year):
        """每个截止事项：已提醒谁、谁仍未办理."""
        with uow() as work:
            return reminder_report.report(work, current_identity(), cover_year)


@blp.route("/reminders/<int:cover_year>/days-before")
class Days(MethodView):
    @roles("centre")
    @blp.arguments(DaysIn)
    @blp.response(200, DaysOut)
    def put(self, data, cover_year):
        """设置该年度截止日前几天提醒（默认 7、3、1 天）."""
        audit_subject(f"{cover_year}年度")
        with uow() as work:
            return {
                "cover_year": cover_year,
                "days_before": reminders.set_days_before(work, current_identity(), cover_year, data["days_before"]),
            }


@blp.route("/reminders/<int:cover_year>/<string:deadline>/send")
class Send(MethodView):
    @roles("centre")
    @blp.arguments(SendIn)
    @blp.response(200, SendOut)
    def post(self, data, cover_year, deadline):
        """手动提醒仍未办理的单位（截止事项：""" + "、".join(REMINDED) + """）."""
        audit_subject(f"{cover_year}年度{LABELS.get(deadline, '截止事项')}")
        with uow() as work:
            return reminders.send_by_hand(work, current_identity(), cover_year, deadline, data.get("ids"))
