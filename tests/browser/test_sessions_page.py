"""登录设备: a person sees where they are logged in and ends the other sessions, in Chromium."""
import re

from playwright.sync_api import expect


def test_a_person_ends_their_other_sessions_from_the_account_menu(person):
    laptop = person("grassroots2")
    phone = person("grassroots2", viewport=(390, 844))
    page = laptop.page
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("navigation", name="账号").get_by_role("link", name="登录设备").click()
    page.wait_for_url(laptop.base + "/account/sessions")
    rows = page.locator("#sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#sessions .current-session")).to_have_count(1)
    expect(page.locator("#sessions")).to_contain_text("浏览器")
    laptop.shot("account-sessions")
    page.get_by_role("button", name="结束其他所有会话").click()
    expect(page.locator("#flash")).to_have_text("已结束 1 个会话")
    expect(rows).to_have_count(1)
    # the phone's session has ended: its next page is the login page
    phone.page.goto(phone.base + "/union/profile")
    phone.page.wait_for_url(re.compile(r"/login(\?.*)?$"))
    # the laptop carries on
    page.reload()
    expect(rows).to_have_count(1)
