"""Accounts without typed passwords, clicked through (issue 27 item 3): the centre makes an account
without a password; the activation mail is written (embedded mail folder) with a link that works;
the clerk opens it in Chromium, types the new password (each field first refused by the page),
reads what the page says and logs in; 找回密码 from the login page sends the same kind of link."""

from __future__ import annotations

import email
import re
import time
from email import policy

import pytest
from playwright.sync_api import expect

from tests.browser.test_forms_typing import Watch, invalid_case, put, valid_case
from tests.browser.typing_registry import PUBLIC_FORMS, Form
from tests.season import ok

USERNAME = "link.clerk"
PASSWORD = "Clerk&Sets2026"
LINK = re.compile(r"(https?://\S+?)(/password/set#t=[A-Za-z0-9_-]+)")


def _mails(system, to: str) -> list:
    """The account-link mails to `to`, oldest first (the files are named by event id, not time)."""
    folder = system.tmp / "mail"
    paths = sorted(folder.glob("*account-link-*.eml"), key=lambda p: p.stat().st_mtime_ns) if folder.exists() else []
    mails = [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]
    return [mail for mail in mails if mail["To"] == to]


def _wait_for_mail(system, count: int, to: str = "link.clerk@example.cn"):
    until = time.monotonic() + 60
    while time.monotonic() < until:
        mails = _mails(system, to)
        if len(mails) >= count:
            return mails[count - 1]
        time.sleep(0.3)
    raise AssertionError(f"no mail number {count} to {to} in {system.tmp / 'mail'}")


def _type(page, forms: list[Form], ctx: dict) -> list[str]:
    watch = Watch(page)
    problems = []
    try:
        for form in forms:
            for field in form.fields:
                put(page, {}, form, field, field.valid, ctx)
            for field in form.fields:
                problem = invalid_case(page, {}, watch, form, field, ctx)
                if problem:
                    problems.append(f"{form.key}: {problem}")
            problem = valid_case(page, {}, watch, form, ctx)
            if problem:
                problems.append(f"{form.key}: {problem}")
        if watch.dialogs:
            problems.append(f"browser dialogs: {watch.dialogs}")
    finally:
        watch.stop()
    return problems


@pytest.fixture
def page(browser, system):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_a_clerk_activates_the_account_from_the_mail_and_recovers_a_forgotten_password(system, browser, page):
    centre = system.login("centre")
    union_id = next(
        a["union_id"]
        for a in ok(centre.get("/api/v1/accounts", params={"q": "grassroots1"}))
        if a["username"] == "grassroots1"
    )
    made = centre.post(
        "/api/v1/accounts",
        json={
            "username": USERNAME,
            "display_name": "链接测试",
            "role": "grassroots",
            "union_id": union_id,
            "email": "link.clerk@example.cn",
        },
    )
    assert made.status_code == 201 and made.json()["active"] is False

    mail = _wait_for_mail(system, 1)
    body = mail.get_content()
    assert mail["To"] == "link.clerk@example.cn" and "激活" in mail["Subject"]
    public, path = LINK.search(body).groups()
    assert public == "http://localhost:8000"  # PUBLIC_BASE_URL's default
    page.goto(system.base + path)
    expect(page.locator("#link-facts")).to_contain_text(USERNAME)
    expect(page.locator("#set-title")).to_have_text("激活账号并设置密码")
    assert "#t=" not in page.url  # the token is taken out of the address bar
    problems = _type(page, PUBLIC_FORMS["/password/set"], {"username": USERNAME})
    assert problems == []
    expect(page.locator("#link-facts")).to_contain_text("密码已设置")
    assert system.login(USERNAME, PASSWORD).get("/api/v1/auth/sessions").status_code == 200

    page.goto("about:blank")  # (the same address again would only move to its fragment)
    page.goto(system.base + path)  # the same link again: refused, and said so
    expect(page.locator("#link-facts")).to_contain_text("该链接无效、已使用或已过期")

    page.goto(system.base + "/login")
    page.get_by_role("link", name="找回密码").click()
    expect(page).to_have_url(re.compile(r"/password/forgot$"))
    problems = _type(page, PUBLIC_FORMS["/password/forgot"], {"username": USERNAME})
    assert problems == []
    reset = _wait_for_mail(system, 2)
    assert "重设" in reset["Subject"]
    _, again = LINK.search(reset.get_content()).groups()
    page.goto(system.base + again)
    expect(page.locator("#set-title")).to_have_text("重设密码")
