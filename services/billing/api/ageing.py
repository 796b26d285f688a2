"""账龄: who is late and by how much; the reminders that escalate (催缴), run on demand."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from common.schema import BaseSchema, Timestamp
from common.web import current_identity, roles, uow
from services.billing.api.schemas import Year
from services.billing.handlers import ageing

blp = Blueprint("ageing", __name__, description="账龄与催缴")


class AgeingQuery(BaseSchema):
    cover_year = Year(load_default=None)


class ReminderOut(BaseSchema):
    step = fields.String(metadata={"description": "first_notice, escalated, centre_list"})
    step_text = fields.String()
    at = Timestamp()
    by = fields.String(metadata={"description": "job 或操作人"})
    recipient = fields.String(metadata={"description": "提醒了谁"})
    days_past = fields.Integer()
    short_fen = fields.Integer()


class BucketOut(BaseSchema):
    bucket = fields.String(metadata={"description": "not_due, days_1_7, days_8_30, over_30"})
    text = fields.String()
    count = fields.Integer()
    due_fen = fields.Integer()
    paid_fen = fields.Integer()
    short_fen = fields.Integer()


class DistrictAgeingOut(BaseSchema):
    district_id = fields.Integer()
    district_name = fields.String(allow_none=True)
    count = fields.Integer()
    due_fen = fields.Integer()
    paid_fen = fields.Integer()
    short_fen = fields.Integer()
    short_by_bucket = fields.Dict(keys=fields.String(), values=fields.Integer())


class BatchAgeingOut(BaseSchema):
    batch_id = fields.Integer()
    batch_no = fields.String()
    district_id = fields.Integer()
    district_name = fields.String(allow_none=True)
    cover_year = fields.Integer()
    mode = fields.String()
    pay_by = fields.Date(allow_none=True)
    days_past = fields.Integer(metadata={"description": "超过缴费期限的天数（未到期为 0）"})
    bucket = fields.String()
    bucket_text = fields.String()
    due_fen = fields.Integer()
    paid_fen = fields.Integer(metadata={"description": "已缴（到账）"})
    short_fen = fields.Integer(metadata={"description": "未缴"})
    status = fields.String()
    status_text = fields.String()
    reminders = fields.List(fields.Nested(ReminderOut))
    last_reminder = fields.Nested(ReminderOut, allow_none=True)
    on_centre_list = fields.Boolean(metadata={"description": "已列入市职保中心逾期名单"})


class AgeingOut(BaseSchema):
    today = fields.Date()
    buckets = fields.List(fields.Nested(BucketOut))
    districts = fields.List(fields.Nested(DistrictAgeingOut))
    batches = fields.List(fields.Nested(BatchAgeingOut))


class RemindersRunOut(BaseSchema):
    reminded = fields.List(fields.Dict(), metadata={"description": "本次催缴的批次与步骤"})


@blp.route("/ageing")
class Ageing(MethodView):
    @roles("centre", "district")
    @blp.arguments(AgeingQuery, location="query")
    @blp.response(200, AgeingOut)
    def get(self, query):
        """账龄 (centre: every district; district: its own batches): open batches still owing, by days
        past the pay-by, with due, paid and short, per bucket and per district, and the reminders."""
        with uow() as work:
            return ageing.ageing(work, current_identity(), query.get("cover_year"))


@blp.route("/jobs/payment-reminders")
class PaymentRemindersJob(MethodView):
    @roles("centre")
    @blp.response(200, RemindersRunOut)
    def post(self):
        """催缴 now (also `python -m services.billing.jobs reminders`): each late batch its next step, once."""
        with uow() as work:
            return {"reminded": ageing.send_payment_reminders(work, current_identity().user)}
