"""HTTP entry points for an account's notifications (通知)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from common.schema import BaseSchema, PageQuery, Timestamp
from common.web import current_identity, roles, uow
from services.notifications.handlers import inbox_page

blp = Blueprint("notifications", __name__, description="本账号的通知：列表、未读数、标记已读")
ALL = ("grassroots", "district", "centre")


class ListQuery(PageQuery):
    unread = fields.Boolean(load_default=False, metadata={"description": "只列未读"})


class NotificationOut(BaseSchema):
    id = fields.Integer()
    kind = fields.String(
        metadata={
            "description": "submission_returned, member_rejected, transfer_requested, transfer_approved, transfer_rejected, "
            "batch_submitted, batch_feedback, batch_written_off, batch_failed, "
            "notice_ready, reminder"
        }
    )
    title = fields.String()
    body = fields.String()
    link = fields.String(metadata={"description": "相关页面（站内路径）"})
    created_at = Timestamp()
    read = fields.Boolean()
    read_at = Timestamp(allow_none=True)


class NotificationPage(BaseSchema):
    total = fields.Integer()
    unread = fields.Integer()
    items = fields.List(fields.Nested(NotificationOut))


class UnreadOut(BaseSchema):
    unread = fields.Integer()


class ReadIn(BaseSchema):
    ids = fields.List(
        fields.Integer(validate=validate.Range(min=1)),
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "不填则全部标为已读"},
    )


class ReadOut(BaseSchema):
    marked = fields.Integer()


@blp.route("/notifications")
class Notifications(MethodView):
    @roles(*ALL)
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, NotificationPage)
    def get(self, args):
        """本账号的通知（新的在前）."""
        with uow() as work:
            return inbox_page.list_notifications(
                work, current_identity(), args["unread"], args["page"], args["per_page"]
            )


@blp.route("/notifications/unread-count")
class Unread(MethodView):
    @roles(*ALL)
    @blp.response(200, UnreadOut)
    def get(self):
        """未读通知数（菜单上的数字）."""
        with uow() as work:
            return {"unread": inbox_page.unread_count(work, current_identity())}


@blp.route("/notifications/read")
class MarkRead(MethodView):
    @roles(*ALL)
    @blp.arguments(ReadIn)
    @blp.response(200, ReadOut)
    def post(self, data):
        """标记已读：所列通知，或全部."""
        with uow() as work:
            return {"marked": inbox_page.mark_read(work, current_identity(), data.get("ids"))}
