"""Pages in a real browser: Playwright driving Debian's chromium (never a downloaded browser).
Screenshots go to test-artifacts/screenshots/ (kept by CI as artefacts)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from common.config import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


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

    def __init__(self, browser, base: str, username: str, password: str = "Demo@2026pass",
                 viewport=(1280, 900)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = base
        self.username = username
        self.page.goto(base + "/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url(base + "/")

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


@pytest.fixture
def person(browser, system):
    made = []

    def login(username: str, **kw) -> Person:
        made.append(Person(browser, system.base, username, **kw))
        return made[-1]

    yield login
    for p in made:
        p.close()
