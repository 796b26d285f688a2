"""组织注册 and 组织审核 clicked through (issue 27 items 1–2): from the login page a union types the
registration form (each field first refused by the page) and reads its registration number and
what happens next; the district opens 组织审核, approves it in the page's own dialog and reads
what the page says; the clerk's account is then there, inactive, with its activation mail. A
second application is returned with a reason typed in the dialog. At 1280 and 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from deploy.seed import credit_code
from tests.browser.conftest import confirm
from tests.browser.test_password_links import _type
from tests.browser.typing_registry import PUBLIC_FORMS
from tests.season import ok


@pytest.fixture
def page(browser, system):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_a_union_registers_and_its_district_approves_it(system, browser, page, person):
    page.goto(system.base + "/login")
    page.get_by_role("link", name="组织注册").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    expect(page.locator("#district")).to_contain_text("黄浦区总工会")
    # a well-shaped code whose last character is wrong is named beside the field, before sending
    good = credit_code("91310101MA1RG0009")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    page.get_by_label("统一社会信用代码").fill(wrong)
    page.get_by_role("button", name="提交注册申请").click()
    expect(page.locator("#register-form")).to_contain_text("统一社会信用代码校验位不正确（最后一位），请核对")
    # each field of the summary names its person: no two alike
    expect(page.locator("#flash")).to_contain_text("主席姓名")
    expect(page.locator("#flash")).to_contain_text("代办员姓名")
    page.get_by_label("统一社会信用代码").fill("")
    assert _type(page, PUBLIC_FORMS["/register"], {}) == []
    done = page.locator("#done")
    expect(done).to_be_visible()
    expect(done).to_contain_text("待区局审核")
    expect(done.locator("h1")).to_be_focused()
    expect(page.locator("#flash")).to_be_empty()  # said once, where the form was
    expect(done).to_contain_text("clerk@typed.example.cn")
    number = page.locator("#done-number").inner_text()
    assert re.fullmatch(r"ZC\d{14}", number)

    district = person("district")
    screen = district.open("/district/registrations")
    row = screen.locator("#registrations tr", has_text=number)
    expect(row).to_contain_text("打字注册公司工会")
    # the queue fits the clerk's 1280-px screen: no sideways scrolling to reach 通过
    wrap = screen.locator("#registrations .table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth + 1"), "组织审核 scrolls sideways at 1280"
    row.get_by_role("button", name="通过").click()
    confirm(screen, "通过", "打字注册公司工会", "clerk@typed.example.cn")
    expect(screen.locator("#flash")).to_contain_text("已通过：打字注册公司工会")
    expect(screen.locator("#registrations")).not_to_contain_text(number)  # gone from 待区局审核

    centre = system.login("centre")

    def clerk():
        return next(
            (
                a
                for a in ok(centre.get("/api/v1/accounts", params={"q": "typed.clerk"}))
                if a["username"] == "typed.clerk"
            ),
            None,
        )

    system.wait_for(clerk, timeout=60, message="the clerk's account")
    assert clerk()["active"] is False and clerk()["role"] == "grassroots"

    # a second one, returned with a reason, typed on a phone-sized screen
    small = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    small.goto(system.base + "/register")
    expect(small.locator("#district")).to_contain_text("黄浦区总工会")
    values = {
        "name": "退回测试公司工会",
        "credit_code": credit_code("91310101MA1RG0003"),
        "address": "上海市黄浦区",
        "chair_name": "韩主席",
        "chair_mobile": "13600000011",
        "chair_email": "chair2@typed.example.cn",
        "clerk_name": "杨代办",
        "clerk_mobile": "13600000012",
        "clerk_email": "clerk2@typed.example.cn",
        "username": "typed.clerk2",
    }
    for name, value in values.items():
        small.locator(f"[name={name}]").fill(value)
    small.locator("[name=district_id]").select_option(label="黄浦区总工会")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    small.get_by_role("button", name="提交注册申请").click()
    expect(small.locator("#done")).to_contain_text("待区局审核")
    small.context.close()

    screen.reload()
    row = screen.locator("#registrations tr", has_text="退回测试公司工会")
    row.get_by_role("button", name="退回：退回测试公司工会").click()
    dialog = screen.get_by_role("dialog")
    dialog.get_by_label("退回原因").fill("名称与营业执照不符，请核对")
    dialog.get_by_role("button", name="退回", exact=True).click()
    expect(screen.locator("#flash")).to_contain_text("已退回：退回测试公司工会")
    screen.locator("#state").select_option(label="已退回")
    screen.get_by_role("button", name="查询").click()
    expect(screen.locator("#registrations")).to_contain_text("已退回：名称与营业执照不符，请核对")
