"""The directory and account pages, clicked through in Chromium, and refusals by role."""

import re

from playwright.sync_api import expect

from deploy.seed import credit_code


def test_centre_registers_a_union_in_the_browser_and_errors_show_next_to_the_field(person):
    centre = person("centre")
    page = centre.open("/centre/directory")
    expect(page.locator("#districts")).to_contain_text("黄浦区总工会")  # the lists have loaded
    page.get_by_text("登记基层工会").click()
    form = page.locator("#union-form")
    form.get_by_label("单位名称").fill("上海浏览器测试有限公司工会")
    good = credit_code("91310101MA1FL0055")
    form.get_by_label("统一社会信用代码").fill(good[:-1] + ("1" if good[-1] != "1" else "2"))
    form.get_by_label("联系人").fill("吴刚")
    form.get_by_label("联系电话").fill("13900000055")
    form.get_by_role("button", name="登记").click()
    expect(form.locator(".field-error")).to_contain_text("校验位")
    centre.shot("centre-directory-error")
    form.get_by_label("统一社会信用代码").fill(good)
    form.get_by_role("button", name="登记").click()
    expect(page.locator("#flash")).to_have_text("已登记")
    expect(page.locator("#unions")).to_contain_text("上海浏览器测试有限公司工会")
    centre.shot("centre-directory")


def test_grassroots_is_refused_the_centre_pages_and_sees_only_its_own_menu(person):
    grassroots = person("grassroots1")
    page = grassroots.page
    expect(page.get_by_role("navigation", name="主菜单")).not_to_contain_text("账号管理")
    response = page.goto(grassroots.base + "/centre/accounts")
    assert response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    grassroots.shot("grassroots-refused")


def test_grassroots_updates_its_contact_on_a_phone_sized_screen(person):
    grassroots = person("grassroots2", viewport=(390, 844))
    page = grassroots.open("/union/profile")
    expect(page.locator("#profile")).to_contain_text("上海示范物流有限公司工会")
    page.get_by_label("联系电话").fill("12")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".field-error")).to_contain_text("联系电话格式不正确")
    page.get_by_label("联系电话").fill("021-63219999")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#profile")).to_contain_text("021-63219999")
    grassroots.shot("grassroots-profile-phone")


def test_logout_ends_the_session(person):
    district = person("district")
    page = district.page
    page.get_by_role("button", name="退出").click()
    # the dashboard's own requests may land after logout and bounce to /login?next=/ — both fine
    page.wait_for_url(re.compile(r"/login(\?.*)?$"))
    page.goto(district.base + "/district/unions")
    assert "/login" in page.url
