"""参保凭证 in Chromium over the whole system (issue 29 item 3): a union's clerk downloads a member's
certificate from 职工保障查询 and from 会员详情; at phone width (390×844), with no login, /verify/<code> says a
valid certificate is valid (name masked) and one whose submission the district returned is
revoked — all in Chinese, accessible, within the screen."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.a11y import axe_violations, english_words
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_screens import PHONE, watch
from tests.season import TIMELINE, YEAR, ok, resident_id

E = "/api/v1/enrollment"
CODE = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){6}")


def _member(session, district, serial: int) -> dict:
    member = ok(
        session.post(
            "/api/v1/members/members",
            json={
                "name": f"凭证会员{serial}",
                "id_number": resident_id(serial),
                "address": "上海市黄浦区",
                "mobile": f"139{serial:08d}",
                "education": "大学本科",
                "household_type": "非农业",
            },
        ),
        201,
    )
    ok(district.post("/api/v1/members/members/approvals", json={"member_ids": [member["id"]]}))
    ok(
        session.put(
            f"/api/v1/members/members/{member['id']}/card",
            json={"card_number": f"62220200{serial:08d}", "issued_on": "2019-11-01"},
        )
    )
    return member


def _certificate(session, member_id: int) -> str:
    """A certificate downloaded through the gateway, once documents knows the cover: its code."""
    path = f"/api/v1/documents/certificates/{member_id}/{YEAR}/file"
    answers = []

    def ready():
        answers.append(session.get(path))
        return answers[-1].status_code == 200

    from tests.season import wait_for

    wait_for(ready, timeout=60, message="documents keeps the cover")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answers[-1].content)).pages)
    return CODE.search(re.sub(r"\s+", "", text)).group(0)


@pytest.fixture(scope="module")
def certificates(system):
    """grassroots2's member keeps a valid certificate; grassroots1's is revoked: the district
    returned its submission after the certificate was issued."""
    system.set_clock("2019-10-01T09:00:00")
    centre, district = system.login("centre"), system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    ok(centre.put(f"{E}/cover-years/{YEAR}", json=TIMELINE))
    system.set_clock("2019-11-05T10:00:00")
    members = {"g1": _member(g1, district, 910), "g2": _member(g2, district, 911)}
    for session in (g1, g2):
        system.wait_for(
            lambda s=session: s.get(f"{E}/confirmation?cover_year={YEAR}").json().get("headcount") == 1,
            timeout=60,
            message="eligible members",
        )
    returned = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A"}), 201)
    ok(g2.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B+"}), 201)
    codes = {"valid": _certificate(g2, members["g2"]["id"]), "revoked": _certificate(g1, members["g1"]["id"])}
    ok(district.post(f"{E}/submissions/{returned['id']}/return", json={"reason": "名单有误"}))
    system.wait_for(
        lambda: g1.get(f"/api/v1/documents/certificates/{members['g1']['id']}/{YEAR}/file").status_code == 409,
        timeout=60,
        message="documents hears of the return",
    )
    system.set_clock("2020-03-02T10:00:00")  # within the cover year
    return {"codes": codes, "members": members}


def _phone(browser):
    return browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, locale="zh-CN")


def _checked(page, width: int, name: str) -> None:
    assert english_words(page) == []
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_valid_and_a_revoked_certificate_at_phone_width_without_login(system, browser, certificates):
    context = _phone(browser)
    page = context.new_page()
    problems = watch(page)
    page.goto(system.base + f"/verify/{certificates['codes']['valid']}")
    verdict = page.locator("#verify-verdict")
    expect(verdict).to_have_text("有效")
    expect(page.locator("#verify-name")).to_have_text("凭******")
    expect(page.locator("#verify")).to_contain_text("B+ 类会员专享基本保障")
    expect(page.locator("#verify")).to_contain_text("2020-01-01 至 2020-12-31")
    expect(page.locator("#verify-state")).to_have_text("保障中")
    expect(page.locator("#verify")).not_to_contain_text("凭证会员911")
    _checked(page, PHONE[0], "verify-valid-390")

    page.goto(system.base + f"/verify/{certificates['codes']['revoked'].lower()}")
    expect(verdict).to_have_text("已撤销")
    expect(page.locator("#verify-message")).to_contain_text("已被退回")
    expect(page.locator("#verify-name")).to_have_text("凭******")
    _checked(page, PHONE[0], "verify-revoked-390")

    page.goto(system.base + "/verify/AAAA-BBBB")
    expect(verdict).to_have_text("未查到")
    _checked(page, PHONE[0], "verify-unknown-390")
    assert problems == []
    context.close()


def test_a_clerk_downloads_a_certificate_from_the_cover_lookup(system, person, certificates):
    clerk = person("grassroots2")
    page = clerk.open("/covers")
    page.get_by_label("身份证号码").fill(resident_id(911))
    page.locator("#lookup-form").get_by_role("button").first.click()
    row = page.locator("#result tr", has_text=str(YEAR))
    expect(row).to_contain_text("保障中")
    with page.expect_download(timeout=60_000) as download:
        row.get_by_role("button", name="下载").click()
    assert download.value.suggested_filename.endswith(".pdf")
    expect(page.locator("#flash")).to_contain_text(f"已生成{YEAR}年度参保凭证")
    with open(download.value.path(), "rb") as pdf:
        assert CODE.search(re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(pdf).pages)))


def test_a_clerk_downloads_a_certificate_from_the_member_detail(system, person, certificates):
    clerk = person("grassroots2")
    page = clerk.open("/union/members")
    page.locator("#search").get_by_label("姓名").fill("凭证会员911")
    page.locator("#search").get_by_role("button", name="查询").click()
    page.locator("#members tr", has_text="凭证会员911").get_by_role("button", name="详情").click()
    button = page.locator("#certificates").get_by_role("button", name=f"下载{YEAR}年度参保凭证")
    with page.expect_download(timeout=60_000) as download:
        button.click()
    assert download.value.suggested_filename.endswith(".pdf")
    expect(page.locator("#flash")).to_contain_text(f"已生成{YEAR}年度参保凭证")
    # a year without a cover (the demo's own year) is said, nothing downloaded
    other = page.locator("#certificates button", has_not_text=str(YEAR)).first
    expect(other).to_be_visible()
    other.click()
    expect(page.locator("#flash")).to_contain_text("未查到该会员该年度的参保信息")
