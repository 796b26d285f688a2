"""Accounts without typed passwords over real processes, PostgreSQL and RabbitMQ: the gateway's
outbox and relay carry `gateway.account.link_issued` to the notifications service, which writes
the mail (embedded mail folder); the link in it sets the password once, and the account logs in."""

from __future__ import annotations

import email
import re
from email import policy

import requests

LINK = re.compile(r"https?://\S+?/password/set#t=([A-Za-z0-9_-]+)")


def _mail(system, count: int):
    folder = system.tmp / "mail"

    def found():
        # by when written: the names carry the event's random id, not its order
        mails = (
            sorted(folder.glob("*account-link-*.eml"), key=lambda f: f.stat().st_mtime_ns) if folder.exists() else []
        )
        return mails[count - 1] if len(mails) >= count else None

    system.wait_for(found, timeout=60, message=f"account-link mail {count}")
    return email.message_from_bytes(found().read_bytes(), policy=policy.default)


def test_the_activation_mail_is_written_with_a_link_that_works_once(system):
    centre = system.login("centre")
    made = centre.post(
        "/api/v1/accounts",
        json={"username": "mail.clerk", "display_name": "邮件测试", "role": "centre", "email": "mail.clerk@example.cn"},
    )
    assert made.status_code == 201 and made.json()["active"] is False, made.text
    mail = _mail(system, 1)
    assert mail["To"] == "mail.clerk@example.cn"
    token = LINK.search(mail.get_content()).group(1)

    post = lambda path, body: requests.post(system.base + path, json=body, timeout=10)
    assert post("/api/v1/auth/link", {"token": token}).json()["purpose"] == "activate"
    assert post("/api/v1/auth/link/password", {"token": token, "new_password": "Mail&Clerk2026"}).status_code == 200
    assert system.login("mail.clerk", "Mail&Clerk2026").get("/api/v1/auth/sessions").status_code == 200
    again = post("/api/v1/auth/link/password", {"token": token, "new_password": "Other&Clerk2026"})
    assert again.status_code == 422 and again.json()["error"]["code"] == "LINK_INVALID"

    asked = post("/api/v1/auth/password-reset", {"login": "mail.clerk@example.cn"})
    assert asked.status_code == 200
    assert "重设" in _mail(system, 2)["Subject"]
