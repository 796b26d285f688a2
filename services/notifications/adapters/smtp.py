"""Sending notification e-mails: one SMTP connection per run (or, without SMTP_HOST, .eml files
under DATA_DIR/mail). Each message's Message-ID names its notification, so a receiver can tell
the one resend a crash between sending and recording could cause.

A reminder goes to many unions with the same words: the message is rendered once per text (the
encoded body and subject) and each copy only adds its own To and Message-ID headers."""

from __future__ import annotations

import contextlib
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from functools import lru_cache

from common.config import data_dir, private_folder, write_private
from common.smtp import date_header
from services.notifications.settings import MailSettings


@lru_cache(maxsize=256)
def _rendered(title: str, body: str, link: str, sender: str) -> bytes:
    message = EmailMessage()
    message["Subject"] = f"【会员服务卡集中参保】{title}"
    message["From"] = sender
    message.set_content(f"{body}\n\n请登录系统查看：{link}\n\n上海市职工保障互助中心（系统自动发送，请勿回复）")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def build(
    notification_id: int, title: str, body: str, link: str, recipients: list[str], settings: MailSettings
) -> bytes:
    """The whole message as bytes (RFC 5322, CRLF)."""
    head = (
        f"To: {', '.join(recipients)}\r\nDate: {date_header()}\r\n"
        f"Message-ID: <notification-{notification_id}@notifications.zhibao>\r\n"
    ).encode("ascii", "replace")
    return head + _rendered(title, body, settings.absolute(link), settings.sender)


def personal(subject: str, body: str, to: str, message_id: str, sender: str) -> bytes:
    """One mail to one person (an account's link, a registration's answer): subject, body and
    headers as every such mail has them; `message_id` names its cause, so a resend is known."""
    message = EmailMessage()
    message["Subject"] = f"【会员服务卡集中参保】{subject}"
    message["From"] = sender
    message["To"] = to
    message["Date"] = date_header()
    message["Message-ID"] = make_msgid(idstring=message_id, domain="notifications.zhibao")
    message.set_content(body)
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


class Sender:
    """`with Sender(settings) as send: send(notification_id, message_bytes, recipients)`;
    raises what the server raises."""

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

    def send(self, notification_id: int, message: bytes, recipients: list[str]) -> None:
        if self._smtp is None:
            folder = private_folder(data_dir() / "mail")
            write_private(folder / f"notification-{notification_id}.eml", message)
            return
        refused = self._smtp.sendmail(self.settings.sender, recipients, message)
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)

    def __exit__(self, *exc):
        if self._smtp is not None:
            with contextlib.suppress(Exception):  # the connection may be gone already
                self._smtp.quit()
        return False
