"""Every page of every role, as its clerk sees it at a desk (1280×800) and on a phone (390×844):
axe-core finds no serious or critical violation, not one English word of our text is on screen,
nothing 404s or 5xx (the favicon included), every page carries the strict Content-Security-Policy
and the browser reports no violation of it, charts' labels are not clipped, the account (退出)
stays on the header's first line at 1280 px, and a table's actions are reachable on a phone.
Each form, given a bad value while the page is scrolled, shows its message in view, beside the
field, with a human label. Screenshots in test-artifacts/screenshots/page-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gateway.app import CONTENT_SECURITY_POLICY
from gateway.pages import PAGES
from tests.browser.a11y import axe_violations, english_words
from tests.browser.conftest import ARTIFACTS, carded_member, open_season
from tests.e2e.test_enrollment_season import YEAR, ok

E = "/api/v1/enrollment"
ROLES = {"grassroots1": "grassroots", "district": "district", "centre": "centre"}
DESK, PHONE = (1280, 800), (390, 844)


@pytest.fixture(scope="module")
def season(system):
    """A cover year with prices and a split, carded members, and one submission to review."""
    open_season(system)
    district, g1 = system.login("district"), system.login("grassroots1")
    for serial in (700, 701):
        carded_member(g1, district, f"页面会员{serial}", serial)
    system.wait_for(
        lambda: g1.get(f"{E}/confirmation?cover_year={YEAR}").json().get("headcount", 0) >= 2,
        timeout=60,
        message="eligible members",
    )
    ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A"}), 201)
    return system


def paths_of(role: str) -> list[str]:
    return [p.path for p in PAGES if role in p.roles]


def watch(page) -> list[str]:
    """What went wrong while the page was used: console errors, 404s and 5xx answers."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    # every refusal by the Content-Security-Policy, as the page itself is told of it
    page.add_init_script("""document.addEventListener("securitypolicyviolation", e =>
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));""")

    def answered(response):
        expected_404 = "/api/v1/billing/quotes/" in response.url  # "价格尚未公布" is shown for it
        if response.status >= 500 or (response.status == 404 and not expected_404):
            problems.append(f"{response.status} {response.url}")
        if (
            response.request.resource_type == "document"
            and response.headers.get("content-security-policy") != CONTENT_SECURITY_POLICY
        ):
            problems.append(f"no strict Content-Security-Policy on {response.url}")

    page.on("response", answered)
    return problems


def clipped_chart_labels(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll("svg.chart")].flatMap(svg => {
        const width = svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll("text")].filter(t => { const b = t.getBBox(); return b.x + b.width > width + 0.5; })
          .map(t => t.textContent);
    })""")


@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_is_chinese_accessible_and_fits(season, person, username):
    role = ROLES[username]
    for width, height in (DESK, PHONE):
        someone = person(username, viewport=(width, height))
        page = someone.page
        problems = watch(page)
        for path in paths_of(role):
            page.goto(someone.base + path)
            page.wait_for_load_state("networkidle")
            slug = path.strip("/").replace("/", "-") or "home"
            someone.shot(f"page-{role}-{slug}-{width}")
            violations = axe_violations(page)
            assert not violations, f"{path} at {width}px: {violations}"
            assert english_words(page) == [], f"{path} at {width}px shows English"
            assert clipped_chart_labels(page) == [], f"{path}: clipped chart labels"
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{path} at {width}px: the page is {wide}px wide (only tables may scroll)"
            if width == DESK[0]:  # the account with 退出 on the header's first line, beside the name
                who = page.locator(".top .who").bounding_box()
                out = page.get_by_role("button", name="退出").bounding_box()
                brand = page.locator(".top .brand").bounding_box()
                assert abs(out["y"] - who["y"]) < 12 and out["y"] < brand["y"] + brand["height"], path
        assert problems == [], problems
        assert page.request.get(someone.base + "/favicon.ico").status == 200
        someone.close()


def test_a_phone_shows_rows_as_cards_and_a_two_row_header(season, person):
    grassroots = person("grassroots1", viewport=PHONE)
    page = grassroots.open("/union/members")
    row = page.locator("#members tbody tr", has_text="页面会员700")
    button = row.get_by_role("button", name="详情")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0], box  # no sideways scrolling needed
    # every cell of the row in view, under its column's title: 选择, 会员编号, 姓名 … 操作
    cells = row.evaluate("""tr => [...tr.cells].map(td => { const r = td.getBoundingClientRect();
        return { label: getComputedStyle(td, "::before").content, right: r.right }; })""")
    assert [c["label"].strip('"') for c in cells][:3] == ["选择", "会员编号", "姓名"], cells
    assert all(c["right"] <= PHONE[0] for c in cells), cells
    hint = page.evaluate(
        """() => getComputedStyle(document.querySelector("#members .table-wrap"), "::before").content"""
    )
    assert hint in ("none", "normal"), hint  # nothing to swipe
    # the header: two rows (brand and 菜单; the account), the menu behind 菜单
    top = page.locator("header.top")
    lines = top.evaluate("""h => {  // rows of the header's visible parts, by their vertical middles
        const mids = [...h.children].filter(e => e.getClientRects().length)
          .map(e => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; }).sort((a, b) => a - b);
        let rows = 0, last = -1e9;
        for (const m of mids) { if (m - last > 16) rows++; last = m; }
        return rows;
    }""")
    assert lines <= 2, lines
    expect(page.get_by_role("navigation", name="主菜单")).to_be_hidden()
    page.get_by_role("button", name=re.compile("^菜单")).click()
    expect(page.get_by_role("navigation", name="主菜单").get_by_role("link", name="参保办理")).to_be_visible()
    grassroots.shot("phone-menu-open")
    page.get_by_role("button", name=re.compile("^菜单")).click()
    grassroots.shot("phone-members-cards")
    expect(page.locator("#next")).to_be_disabled()  # one page of members: no empty page 2
    expect(page.locator("#prev")).to_be_disabled()
    button.click()
    expect(page.locator("#detail-card")).to_be_visible()
    # the card form shows the card already held (the season's members have one)
    expect(page.locator("#card-held")).to_contain_text("已办卡：卡号")
    expect(page.locator("#card").get_by_label("办卡日期")).to_have_value("2019-11-01")
    expect(page.locator("#card").get_by_role("button", name="更换卡信息")).to_be_visible()
    grassroots.shot("phone-member-card")
    desk = person("grassroots1", viewport=DESK)  # at a desk too, a table wider than its card says so
    page = desk.open("/union/members")
    expect(page.locator("#members .table-wrap")).to_have_class(re.compile("scrolls"))
    hint = page.evaluate(
        """() => getComputedStyle(document.querySelector("#members .table-wrap"), "::before").content"""
    )
    assert "左右滑动" in hint
    desk.shot("desk-members-scroll-hint")
    district = person("district", viewport=PHONE)
    page = district.open("/district/review")
    page.get_by_label("保障年度").select_option(str(YEAR))
    page.wait_for_load_state("networkidle")  # the list of the year chosen replaces the first one
    stage = page.locator("#pending").get_by_role("button", name="添加至待提交").first
    expect(stage).to_be_visible()
    # measured in the page (the locator waits for the element): a list re-rendered between the
    # check and a bounding_box() call answered None
    box = stage.evaluate("e => { const r = e.getBoundingClientRect(); return {x: r.x, width: r.width}; }")
    assert box["x"] + box["width"] <= PHONE[0], box
    district.shot("phone-review-actions")


# (who, page, what to do first, form, field label, bad value, the message beside the field)
FORMS = [
    ("grassroots1", "/union/members", "新增会员", "#add", "证件号码", "31010119900101123X", "校验位"),
    ("grassroots1", "/union/profile", None, "#contact", "联系电话", "12", None),
    ("grassroots1", "/account/sessions", None, "#password-form", "新密码", "short", "不能少于 10 位"),
    ("grassroots1", "/union/enrolment", None, "#history-filter", "提交时间起", "2019/11/05", "YYYY-MM-DD"),
    ("district", "/district/splits", None, "#override", "区局缴纳（元）", "abc", None),
    ("district", "/district/review", None, "#submit", "联系电话", "12345", "联系电话格式不正确"),
    ("district", "/batches", None, "#filter", "确认（提交）时间起", "12-28", "YYYY-MM-DD"),
    ("district", "/batches", None, "#filter", "确认（提交）时间起", "2020-02-30", "日历上没有 2020-02-30 这一天"),
    ("centre", "/centre/years", None, "#year-form", "保障年度", "20", None),
    ("centre", "/centre/accounts", None, "#account-form", "用户名", "a b", "3–64 位字母"),
    ("centre", "/centre/directory", "登记基层工会", "#union-form", "统一社会信用代码", "123", None),
    ("centre", "/centre/reconciliation", None, "#statement", None, None, "请选择文件"),
]


@pytest.mark.parametrize(
    "username,path,first,form,label,bad,message", FORMS, ids=[f"{f[0]}{f[1]}{f[3]}" for f in FORMS]
)
def test_each_form_with_a_bad_value_shows_its_message_in_view(
    season, person, username, path, first, form, label, bad, message
):
    someone = person(username, viewport=DESK)
    page = someone.open(path)
    page.wait_for_load_state("networkidle")
    if first:
        page.get_by_text(first, exact=True).click()
    box = page.locator(form)
    # fill the form's other required text fields with plausible values, then the bad one
    for field in box.locator("input[required]:not([type=file]):not([type=password]):visible").all():
        if not field.input_value():
            field.fill(
                "上海市黄浦区"
                if field.get_attribute("name") in ("address", "name", "contact_person", "display_name")
                else "13800138000"
            )
    for field in box.locator("input[type=password]:visible").all():
        field.fill("Demo@2026pass")
    if label:
        box.get_by_label(label, exact=False).first.fill(bad)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the form's button, low on the page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    box.locator("[type=submit]").click()
    error = box.locator(".field-error").first
    flash = page.locator("#flash")
    expect(flash).to_have_class("error")
    expect(flash).to_be_in_viewport()
    expect(flash).to_have_attribute("aria-live", "assertive")
    if message:
        expect(box).to_contain_text(message)
    expect(error).to_be_visible()
    expect(error).to_be_in_viewport()
    assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", flash.inner_text()), flash.inner_text()  # no internal paths
    assert english_words(page) == []
    assert not dialogs, dialogs  # checked before anything is confirmed
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    someone.shot(f"form-error-{username}-{path.strip('/').replace('/', '-')}")


def test_the_login_page_too(season, browser):
    for width, height in (DESK, PHONE):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        problems = watch(page)
        page.goto(season.base + "/login")
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == [] and english_words(page) == [] and problems == []
        page.get_by_label("用户名").fill("district")
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_be_in_viewport()
        assert english_words(page) == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"page-login-{width}.png"), full_page=True)
        problems.clear()  # the refused login above answered 401, as it should
        page.goto(season.base + "/register")  # 组织注册, linked from the login page
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == [] and english_words(page) == [] and problems == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"page-register-{width}.png"), full_page=True)
        context.close()
