"""Sending notification e-mails: one SMTP connection per run (or, without SMTP_HOST, .eml files
under DATA_DIR/mail). Each message's Message-ID names its notification, so a receiver can tell
the one resend a crash between sending and recording could cause."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from common.config import data_dir
from services.notifications.settings import MailSettings


def build(notification_id: int, title: str, body: str, link: str, recipients: list[str],
          settings: MailSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"【会员服务卡集中参保】{title}"
    message["From"] = settings.sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = f"<notification-{notification_id}@notifications.zhibao>"
    message.set_content(f"{body}\n\n请登录系统查看：{link}\n\n上海市职工保障互助中心（系统自动发送，请勿回复）")
    return message


class Sender:
    """`with Sender() as send: send(message)`; raises what the server raises."""

    def __init__(self, settings: MailSettings | None = None):
        self.settings = settings or MailSettings()
        self._smtp = None

    def __enter__(self):
        s = self.settings
        if s.host:
            self._smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                self._smtp.starttls()
            if s.user:
                self._smtp.login(s.user, s.password)
        return self.send

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            folder = data_dir() / "mail"
            folder.mkdir(parents=True, exist_ok=True)
            name = message["Message-ID"].strip("<>").split("@")[0]
            (folder / f"{name}.eml").write_bytes(bytes(message))
            return
        self._smtp.send_message(message)

    def __exit__(self, *exc):
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except Exception:  # noqa: BLE001 - the connection may be gone already
                pass
        return False
