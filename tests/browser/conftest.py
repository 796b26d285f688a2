"""Pages in a real browser: Playwright driving Debian's chromium (never a downloaded browser).
Screenshots go to test-artifacts/screenshots/ (kept by CI as artefacts)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from common.config import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: make setup installs it (apt-get install chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


class Person:
    """One person at a browser, logged in as a demo account."""

    def __init__(self, browser, base: str, username: str, password: str = "Demo@2026pass", viewport=(1280, 900)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = base
        self.username = username
        self.page.goto(base + "/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        try:
            self.page.wait_for_url(base + "/")
        except Exception as exc:  # say what the login page said, not only that it did not move on
            said = self.page.locator("body").inner_text()[:400]
            raise AssertionError(f"{username} could not log in; the page says: {said}") from exc

    def open(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        self.context.close()


class MemberPerson(Person):
    """A member at a phone (390×844), signed in through 个人登录 with the code the embedded SMS
    adapter wrote (decision 0041); demo member 1 unless told otherwise."""

    def __init__(self, browser, system, id_number: str, mobile: str, viewport=(390, 844)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = system.base
        self.username = "member"
        before = system.sms_count(mobile)
        self.page.goto(self.base + "/login/member")
        self.page.get_by_label("证件号码").fill(id_number)
        self.page.get_by_label("手机号码").fill(mobile)
        self.page.get_by_role("button", name="获取验证码").click()
        self.page.get_by_label("短信验证码").fill(system.sms_code(mobile, before))
        self.page.get_by_role("button", name="登录", exact=True).click()
        self.page.wait_for_url(self.base + "/me")


@pytest.fixture
def person(browser, system):
    made = []

    def login(username: str, **kw) -> Person:
        made.append(Person(browser, system.base, username, **kw))
        return made[-1]

    yield login
    for p in made:
        p.close()


SPLIT = {
    "A": {"district_share": "13", "grassroots_share": "0"},
    "A+": {"district_share": "63", "grassroots_share": "0"},
    "B": {"district_share": "40", "grassroots_share": "10"},
    "B+": {"district_share": "100", "grassroots_share": "0"},
}


def open_season(system, credit_fen: int = 0) -> None:
    """The season's setup that the browser tests do through the API: the cover year, its prices,
    a settlement credit for the district (when asked), the district's split; then the clock in
    the grassroots window (2019-11-05)."""
    from tests.season import TIMELINE, YEAR, ok, price_entries

    system.set_clock("2019-10-01T09:00:00")
    centre, district = system.login("centre"), system.login("district")
    ok(centre.put(f"/api/v1/enrollment/cover-years/{YEAR}", json=TIMELINE))
    system.wait_for(
        lambda: (
            centre.put(f"/api/v1/billing/price-tables/{YEAR}", json={"entries": price_entries()}).status_code == 200
        ),
        timeout=60,
        message="price table",
    )
    if credit_fen:
        credit = {
            "district_id": district.account["district_id"],
            "source_year": YEAR - 2,
            "designated_year": YEAR,
            "amount": f"{credit_fen / 100:.2f}",
            "memo": "清算分配款",
        }
        system.wait_for(
            lambda: centre.post("/api/v1/billing/credits", json=credit).status_code == 201,
            timeout=60,
            message="billing takes the settlement credit",
        )
    system.set_clock("2019-10-26T10:00:00")
    system.wait_for(
        lambda: district.put(f"/api/v1/billing/splits/{YEAR}", json={"types": SPLIT}).status_code == 200,
        timeout=60,
        message="split",
    )
    system.set_clock("2019-11-05T10:00:00")


def carded_member(union, district, name: str, serial: int, issued_on: str = "2019-11-01") -> dict:
    """A member added by `union`, approved by `district`, with a service card issued on `issued_on`
    (ready to enrol)."""
    from tests.season import ok, resident_id

    member = ok(
        union.post(
            "/api/v1/members/members",
            json={
                "name": name,
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
        union.put(
            f"/api/v1/members/members/{member['id']}/card",
            json={"card_number": f"62220200{serial:08d}", "issued_on": issued_on},
        )
    )
    return member


def confirm(page, ok: str, *names: str) -> None:
    """Answer the page's own confirmation dialog (never the browser's confirm()): it names what is
    about to happen (each of `names` is in it), then `ok` is clicked and the dialog is gone."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    for name in names:
        expect(dialog).to_contain_text(name)
    dialog.get_by_role("button", name=ok, exact=True).click()
    expect(dialog).to_have_count(0)
