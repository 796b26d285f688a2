"""代办员变更, clicked through (issue 27, docs/decisions/0040): a union's clerk types the new clerk
on 代办员变更, confirms in the page's dialog and reads what the page says; the old clerk's browser
is sent to the login page, which then says the account ended in a handover; the district sees
both clerks on 代办员管理 and resends the activation link, as the centre does on 账号管理; the new
clerk activates from the mail (which names the union and the district, not the centre) and reads
the history on 本会信息. A union asks for a new name on 本会信息 and its district approves it on
组织审核."""

from __future__ import annotations

import email
import re
import time
from email import policy

from playwright.sync_api import expect

from tests.browser.conftest import Person

LINK = re.compile(r"https?://\S+?(/password/set#t=[A-Za-z0-9_-]+)")
NEW_PASSWORD = "Handed&Over2026"


def _mails(system) -> list:
    folder = system.tmp / "mail"
    paths = sorted(folder.glob("*account-link-*.eml"), key=lambda p: p.stat().st_mtime) if folder.exists() else []
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def _mail_to(system, address: str, count: int):
    until = time.monotonic() + 60
    while time.monotonic() < until:
        mails = [m for m in _mails(system) if m["To"] == address]
        if len(mails) >= count:
            return mails[count - 1]
        time.sleep(0.3)
    raise AssertionError(f"no mail number {count} to {address}")


def test_a_clerk_hands_over_and_the_old_one_is_told_why(system, browser):
    clerk = Person(browser, system.base, "grassroots2")
    page = clerk.open("/union/clerk")
    expect(page.locator("#terms")).to_contain_text("grassroots2")
    form = page.locator("#handover-form")
    form.get_by_label("姓名").press_sequentially("接任代办")
    form.get_by_label("手机").press_sequentially("1390000")
    form.get_by_label("电子邮箱").press_sequentially("next.clerk@example.cn")
    form.get_by_label("用户名").press_sequentially("next.clerk")
    form.get_by_role("button", name="变更代办员").click()
    expect(form.locator(".field-error")).to_contain_text("请填写 11 位手机号码")  # refused by the page
    form.get_by_label("手机").fill("")
    form.get_by_label("手机").press_sequentially("13900000003")
    form.get_by_role("button", name="变更代办员").click()
    dialog = page.locator("dialog")
    expect(dialog).to_contain_text("上海示范物流有限公司工会")
    expect(dialog).to_contain_text("接任代办（next.clerk）")
    dialog.get_by_role("button", name="变更").click()
    outcome = page.locator("#outcome")
    expect(outcome).to_contain_text("代办员已变更为 接任代办（用户名 next.clerk）")
    expect(outcome).to_contain_text("激活链接已发送至 next.clerk@example.cn")
    expect(outcome).to_contain_text("的账号已停用，其所有登录已结束")

    # the old clerk's browser: the session has ended; logging in again says why
    page.goto(system.base + "/union/members")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("用户名").fill("grassroots2")
    page.get_by_label("密码").fill("Demo@2026pass")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("body")).to_contain_text("因代办员变更")
    expect(page.locator("body")).to_contain_text("不能再登录或办理业务")
    clerk.close()

    # the district: both clerks in the history, and a fresh activation link for the new one
    district = Person(browser, system.base, "district")
    page = district.open("/district/clerks")
    expect(page.locator("#accounts")).to_contain_text("next.clerk")
    page.locator("#union").select_option(label="上海示范物流有限公司工会")
    terms = page.locator("#terms")
    expect(terms).to_contain_text("接任代办")
    expect(terms).to_contain_text("本会原代办员")
    expect(terms).to_contain_text("139****0003")
    first = _mail_to(system, "next.clerk@example.cn", 1)
    page.get_by_role("button", name="重发激活链接：next.clerk").click()
    expect(page.locator("#flash")).to_contain_text("已重发激活链接至 next.clerk@example.cn")
    district.close()

    # the centre's 账号管理 resends it too (each fresh link voids the last)
    centre = Person(browser, system.base, "centre")
    page = centre.open("/centre/accounts")
    page.get_by_role("button", name="重发激活链接：接任代办").click()
    expect(page.locator("#flash")).to_contain_text("已重发激活链接至 next.clerk@example.cn")
    centre.close()

    body = _mail_to(system, "next.clerk@example.cn", 3).get_content()
    assert "如有疑问请联系黄浦区总工会" in body and "黄浦区总工会已为您开通" in body
    first_body = first.get_content()
    assert "“上海示范物流有限公司工会”的代办员已变更为您" in first_body
    assert "市职保中心已为您开通" not in first_body

    # the new clerk activates from the newest mail and reads the history on 本会信息
    path = LINK.search(body).group(1)
    newcomer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = newcomer.new_page()
    page.goto(system.base + path)
    expect(page.locator("#link-facts")).to_contain_text("next.clerk")
    page.locator("input[name=new_password]").fill(NEW_PASSWORD)
    page.locator("input[name=confirm_password]").fill(NEW_PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#link-facts")).to_contain_text("密码已设置")
    newcomer.close()
    again = Person(browser, system.base, "next.clerk", password=NEW_PASSWORD)
    page = again.open("/union/profile")
    history = page.locator("#clerk-terms")
    expect(history).to_contain_text("接任代办")
    expect(history).to_contain_text("至今")
    expect(history).to_contain_text("grassroots2")
    again.close()


def test_a_union_asks_for_a_new_name_and_its_district_approves_it_in_review(system, browser):
    clerk = Person(browser, system.base, "grassroots1")
    page = clerk.open("/union/profile")
    form = page.locator("#fact-change-form")
    form.get_by_label("新的工会名称").press_sequentially("上海示范科技集团有限公司工会")
    form.get_by_label("说明").press_sequentially("集团改制后更名")
    form.get_by_role("button", name="提交变更申请").click()
    expect(page.locator("#flash")).to_contain_text("变更申请已提交")
    expect(page.locator("#fact-changes")).to_contain_text("待区局审核")

    district = Person(browser, system.base, "district")
    review = district.open("/district/registrations")
    changes = review.locator("#fact-changes")
    expect(changes).to_contain_text("上海示范科技有限公司工会 → 上海示范科技集团有限公司工会")
    changes.get_by_role("button", name="通过：上海示范科技有限公司工会").click()
    dialog = review.locator("dialog")
    expect(dialog).to_contain_text("上海示范科技集团有限公司工会")
    dialog.get_by_role("button", name="确定").click()
    expect(review.locator("#flash")).to_contain_text("已通过：上海示范科技有限公司工会 的登记信息已变更")
    expect(changes).to_contain_text("已通过")
    district.close()

    page.reload()
    expect(page.locator("#profile")).to_contain_text("上海示范科技集团有限公司工会")
    expect(page.locator("#fact-changes")).to_contain_text("已通过")
    clerk.close()
