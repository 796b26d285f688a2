"""The notifications service (通知): in-app notifications, their e-mails, deadline reminders."""

from common.web import create_service_app
from services.notifications.api import notifications, reminders
from services.notifications.bootstrap import runtime


def create_app():
    return create_service_app(
        runtime,
        [notifications.blp, reminders.blp],
        title="notifications 通知",
        description="站内通知、邮件通知与截止日提醒",
    )
