"""登录设备: a person sees where they are logged in and ends the other sessions, in Chromium."""
import re

from playwright.sync_api import expect

from tests.browser.a11y import axe_violations
from tests.browser.conftest import confirm


def test_a_person_ends_their_other_sessions_from_the_account_menu(person):
    laptop = person("grassroots2")
    phone = person("grassroots2", viewport=(390, 844))
    page = laptop.page
    page.get_by_role("navigation", name="账号").get_by_role("link", name="登录设备").click()
    page.wait_for_url(laptop.base + "/account/sessions")
    rows = page.locator("#sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#sessions .current-session")).to_have_count(1)
    expect(page.locator("#sessions")).to_contain_text("浏览器")
    laptop.shot("account-sessions")
    # the pages' one dialog: named, focus kept inside, Esc cancels and nothing happens
    opener = page.get_by_role("button", name="结束其他所有会话")
    opener.click()
    dialog = page.get_by_role("dialog", name="结束其他所有会话")
    ok, cancel = dialog.get_by_role("button", name="结束", exact=True), dialog.get_by_role("button", name="取消")
    expect(ok).to_be_focused()
    page.keyboard.press("Tab")
    expect(cancel).to_be_focused()
    page.keyboard.press("Tab")
    expect(ok).to_be_focused()  # round the dialog, never behind it
    page.keyboard.press("Shift+Tab")
    expect(cancel).to_be_focused()
    assert axe_violations(page) == []
    laptop.shot("dialog-end-others")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(opener).to_be_focused()
    expect(rows).to_have_count(2)  # cancelled: both sessions stand
    opener.click()
    confirm(page, "结束", "除当前会话以外")
    expect(page.locator("#flash")).to_have_text("已结束 1 个会话")
    expect(rows).to_have_count(1)
    # the phone's session has ended: its next page is the login page
    phone.page.goto(phone.base + "/union/profile")
    phone.page.wait_for_url(re.compile(r"/login(\?.*)?$"))
    # the laptop carries on
    page.reload()
    expect(rows).to_have_count(1)
