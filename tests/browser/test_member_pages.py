"""个人登录 and 我的会员卡与保障 clicked through at phone width (390×844) in Chromium (decision 0041):
from the login page to 个人登录, each field first refused by the page, the code read from the
embedded SMS folder, then the member's card and this year's cover in words, and their own full ID
number on request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from services.members.demo import demo_id
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_certificate_pages import CODE
from tests.browser.test_password_links import _type
from tests.browser.typing_registry import PUBLIC_FORMS
from tests.season import ok

YEAR = 2027  # the demo's cover year, every window open today
MOBILE = "13910000001"  # demo member 1, grassroots1's, a card holder


@pytest.fixture
def phone(browser, system):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    yield context.new_page()
    context.close()


def test_a_member_signs_in_with_the_texted_code_and_sees_the_cover_at_phone_width(system, phone):
    g1 = system.login("grassroots1")
    system.wait_for(
        lambda: (
            g1.post(
                "/api/v1/enrollment/submissions", json={"cover_year": YEAR, "type": "B+", "member_ids": [1]}
            ).status_code
            == 201
        ),
        timeout=60,
        interval=1,
        message="the member's submission",
    )
    page = phone
    page.goto(system.base + "/login")
    page.get_by_role("link", name="个人登录").click()
    page.wait_for_url(system.base + "/login/member")
    code_form, sign_in_form = PUBLIC_FORMS["/login/member"]
    before = system.sms_count(MOBILE)
    assert _type(page, [code_form], {"member_id_number": demo_id(1), "member_mobile": MOBILE}) == []
    code = system.sms_code(MOBILE, before)
    assert _type(page, [sign_in_form], {"code": code}) == []
    page.wait_for_url(system.base + "/me")

    expect(page.locator("h1")).to_have_text("我的会员卡与保障")
    facts = page.locator("#card-facts")
    expect(facts).to_contain_text("会员编号")
    expect(facts).to_contain_text("上海")  # the union's name
    expect(facts).to_contain_text("6222")
    assert demo_id(1) not in facts.inner_text()  # masked until asked
    covers = page.locator("#covers")
    expect(covers).to_contain_text(f"{YEAR}年度")
    expect(covers).to_contain_text("B+类")
    expect(covers).to_contain_text("住院津贴每天 60 元")
    expect(covers).to_contain_text("集中参保")
    expect(covers).to_contain_text("给付申请材料截止")
    page.get_by_role("button", name="查看完整证件号码").click()
    expect(page.locator("#my-id-number")).to_have_text(demo_id(1))
    # my own 参保凭证, once documents knows the cover, then its public check (decision 0042)
    system.wait_for(
        lambda: g1.get(f"/api/v1/documents/certificates/1/{YEAR}/file").status_code == 200,
        timeout=60,
        message="documents keeps the cover",
    )
    with page.expect_download(timeout=60_000) as got:
        page.get_by_role("button", name=f"下载{YEAR}年度参保凭证").click()
    printed = re.sub(r"\s+", "", PdfReader(got.value.path()).pages[0].extract_text())
    code = CODE.search(printed).group(0)
    expect(page.locator("#flash")).to_contain_text(f"已生成{YEAR}年度参保凭证")
    checked = page.context.new_page()
    checked.goto(system.base + f"/verify/{code}")
    expect(checked.locator("main")).to_contain_text(f"{YEAR}")
    expect(checked.locator("main")).not_to_contain_text("未查到")
    checked.close()
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "member-card-390.png"), full_page=True)

    # the reveal is in 操作日志, like every other
    audit = ok(system.login("centre").get("/api/v1/audit", params={"username": "member-1"}))["items"]
    assert any(r["action"] == "POST /api/v1/members/me/id-number-reveals" for r in audit)
    # the home page takes a member to their own page; the clerks' pages refuse them
    page.goto(system.base + "/")
    page.wait_for_url(system.base + "/me")
    assert page.goto(system.base + "/union/members").status == 403
