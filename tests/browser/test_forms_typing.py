"""Every form of every page, typed by a person (issue 24): each role walks its pages through one
season (the clock moved to when each action is allowed); on each page every <form>, and every
group of controls outside a form, must have an entry in tests/browser/typing_registry.py — a form
without one fails. For each field its invalid value is typed (the others valid) and sent: a
Chinese message must show beside that field and nothing may be sent; then the valid values are
typed and sent: the request must be answered 2xx, the page must say what happened, and no
earlier failure's message may still show. A confirmation is the page's own dialog, naming what is
about to happen: a browser dialog (confirm(), prompt()) fails the page. Then the stale-message
rules of the uploads and the cover lookup, which fail on the server's side rather than in the
browser. One system for the module; the pages run in the walk's order (a page run alone lacks
what the earlier ones did: the batch the district's typing made, for one). With -s, each form is
printed as it is typed."""

from __future__ import annotations

import io
import re
import time

import openpyxl
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from gateway.pages import PAGES
from services.members.demo import demo_id
from tests.browser.conftest import SPLIT, MemberPerson, Person, carded_member
from tests.browser.typing_registry import (
    BEFORE_SPLIT,
    GRASSROOTS,
    LOGOUT,
    PAYMENT,
    REGISTRY,
    SPLIT_WINDOW,
    WALK,
    Field,
    Form,
)
from tests.season import TIMELINE, YEAR, ok, price_entries, resident_id

E = "/api/v1/enrollment"
ROLE_OF = {"grassroots1": "grassroots", "district": "district", "centre": "centre", "member": "member"}
CJK = re.compile(r"[\u4e00-\u9fff]")
PASSWORD, TYPED_PASSWORD = "Demo@2026pass", "Typed@2026pass"

expect.set_options(timeout=10_000)


# ---- the season the pages are typed into ---------------------------------------------------


def workbook(header: list[str], rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 30)).save(out, format="PNG")
    return out.getvalue()


def add_member(union, name: str, serial: int) -> dict:
    return ok(
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


@pytest.fixture(scope="module")
def season(system, tmp_path_factory):
    """The year and its prices and split (so that no page's failure stops the later ones), and the
    members each page acts on: 801 edited, 802 given a card, 803 transferred out, 804 approved
    and 805 rejected by the district, grassroots2's 811 and 812 submitted for the batch."""
    from deploy.seed import credit_code

    system.set_clock(BEFORE_SPLIT)
    centre, district = system.login("centre"), system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    ok(centre.put(f"{E}/cover-years/{YEAR}", json=TIMELINE))
    system.wait_for(
        lambda: (
            centre.put(f"/api/v1/billing/price-tables/{YEAR}", json={"entries": price_entries()}).status_code == 200
        ),
        timeout=60,
        message="price table",
    )
    system.set_clock(SPLIT_WINDOW)
    system.wait_for(
        lambda: district.put(f"/api/v1/billing/splits/{YEAR}", json={"types": SPLIT}).status_code == 200,
        timeout=60,
        message="split",
    )
    system.set_clock(GRASSROOTS)
    for serial in (801, 803):
        carded_member(g1, district, f"打字会员{serial}", serial)
    m802 = add_member(g1, "打字会员802", 802)
    ok(district.post("/api/v1/members/members/approvals", json={"member_ids": [m802["id"]]}))
    for serial in (804, 805):
        add_member(g1, f"打字会员{serial}", serial)
    for serial in (811, 812):
        carded_member(g2, district, f"打字会员{serial}", serial)

    def submitted_by_grassroots2() -> None:  # once the split is typed (a priced submission locks it)
        if season_state.get("g2_submitted"):
            return
        system.wait_for(
            lambda: g2.get(f"{E}/confirmation?cover_year={YEAR}").json().get("headcount") == 2,
            timeout=60,
            message="grassroots2's members eligible",
        )
        ok(g2.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B"}), 201)
        season_state["g2_submitted"] = True

    season_state: dict = {}

    folder = tmp_path_factory.mktemp("typed-files")
    files = {
        "roster-good.xlsx": workbook(
            ["姓名", "证件号码"], [["打字会员801", resident_id(801)], ["打字会员802", resident_id(802)]]
        ),
        "roster-bad.xlsx": workbook(
            ["姓名", "证件号码"], [["打字会员801", resident_id(801)], ["查无此人", resident_id(999)]]
        ),
        "lookup.xlsx": workbook(["身份证号码"], [[resident_id(801)], [resident_id(811)]]),
        "removals.xlsx": workbook(["姓名", "证件号码"], [["打字会员802", resident_id(802)]]),
        "unions.xlsx": workbook(  # 工会批量导入: one union of the district's own, its clerk
            [
                "层级",
                "名称",
                "统一社会信用代码",
                "所属区局（产业）工会",
                "区局类型",
                "代办员姓名",
                "代办员手机",
                "代办员邮箱",
                "用户名",
            ],
            [
                [
                    "基层工会",
                    "打字批量公司工会",
                    "91310101MA1TB00014",
                    "",
                    "",
                    "打字代办",
                    "13600000031",
                    "tb@typed.example.cn",
                    "typed.bulk",
                ]
            ],
        ),
        "voucher.png": png(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)

    def statement() -> bytes:  # the bank line of the batch the district submitted by typing
        batches = ok(centre.get(f"{E}/batches?per_page=50"))
        items = batches["items"] if isinstance(batches, dict) else batches
        batch_no = items[0]["batch_no"]
        return workbook(["日期", "付款人", "金额", "摘要"], [["2020-01-14", "黄浦区总工会", 100, f"{batch_no} 参保费"]])

    shared = {
        "id801": resident_id(801),
        "id810": resident_id(810),
        "new_credit_code": credit_code("91310101MA1FL0099"),
        "g1_union_id": str(g1.account["union_id"]),
    }
    per_user = {
        "grassroots1": {"covered_id": resident_id(801), "covered_name": "打字会员801"},
        "district": {"covered_id": resident_id(811), "covered_name": "打字会员811"},
        "centre": {"covered_id": resident_id(811), "covered_name": "打字会员811"},
    }
    return {
        "folder": folder,
        "statement": statement,
        "shared": shared,
        "per_user": per_user,
        "people": {},
        "grassroots_season": submitted_by_grassroots2,
    }


# ---- watching what a page does ---------------------------------------------------------------


class Watch:
    """A page's requests (and those in flight), and any browser dialog — accepted so that the
    season goes on, and recorded so that the page fails."""

    def __init__(self, page):
        self.page = page
        self.sent: list = []
        self.pending: set = set()  # requests not yet answered (those this watch saw start)
        self.dialogs: list[str] = []
        page.on("request", self._request)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)
        page.on("dialog", self._dialog)

    def _request(self, request):
        self.sent.append(request)
        self.pending.add(request)

    def _done(self, request):
        self.pending.discard(request)

    @property
    def in_flight(self) -> int:
        return len(self.pending)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        if dialog.type == "prompt":
            dialog.accept("浏览器对话框中填写的原因")
        else:
            dialog.accept()

    def settle(self, limit: float = 15, quiet_ms: int = 300) -> None:
        """Until nothing is in flight and nothing new starts for a moment (what an earlier action
        set off has been answered)."""
        until = time.monotonic() + limit
        while time.monotonic() < until:
            seen = len(self.sent)
            if self.in_flight == 0:
                self.page.wait_for_timeout(quiet_ms)
                if self.in_flight == 0 and len(self.sent) == seen:
                    return
            else:
                self.page.wait_for_timeout(50)

    def stop(self):
        for event, handler in (
            ("request", self._request),
            ("requestfinished", self._done),
            ("requestfailed", self._done),
            ("dialog", self._dialog),
        ):
            self.page.remove_listener(event, handler)


def sends(form: Form, request) -> bool:
    method, path = form.sends.split(" ", 1)
    if request.method != method:
        return False
    url = request.url.split("://", 1)[1]
    url = url[url.index("/") :]
    url = url.removeprefix("/api/v1")
    return re.match(path, url) is not None


# ---- typing --------------------------------------------------------------------------------


def locate(page, form: Form, field: Field):
    if field.name[0] in "#[" or " " in field.name:
        return page.locator(field.name).first
    return page.locator(form.key).locator(f'[name="{field.name}"]').first


def put(page, season, form: Form, field: Field, value, ctx: dict) -> None:
    """As a person would: text typed key by key, a choice picked by its label, a box ticked, a
    file chosen."""
    box = locate(page, form, field)
    box.wait_for(state="attached")
    kind = box.evaluate("e => e.tagName === 'SELECT' ? 'select' : (e.type || 'text')")
    if kind == "select":
        box.select_option(label=str(value).format(**ctx))
    elif kind == "checkbox":
        box.set_checked(bool(value))
    elif kind == "file":
        box.set_input_files(str(season["folder"] / value) if value else [])
    else:
        box.click()
        box.press("Control+a")
        box.press("Delete")
        if value:
            box.press_sequentially(str(value).format(**ctx))


def submit(page, form: Form):
    button = (
        page.locator(form.submit)
        if form.submit
        else page.locator(form.key).locator("button[type=submit], button:not([type])")
    )
    button.first.click()


def step(page, season, action: tuple) -> None:
    kind, *args = action
    if kind == "click":
        page.locator(args[0]).first.click()
    elif kind == "tick":
        page.locator(args[0]).first.check()
    elif kind == "select":
        page.locator(args[0]).select_option(label=args[1])
    elif kind == "reload":
        page.reload()
        page.wait_for_load_state("networkidle")
    elif kind == "see":
        expect(page.locator(args[0])).to_contain_text(args[1], timeout=60_000)
    else:
        raise AssertionError(f"unknown step {action}")


def message_beside(box) -> dict | None:
    """The message the page shows for a field: named by its aria-describedby, beside it."""
    return box.evaluate("""e => {
        for (const id of (e.getAttribute("aria-describedby") || "").split(/\\s+/)) {
            const m = id && document.getElementById(id);
            if (!m || !m.textContent.trim()) continue;
            const r = m.getBoundingClientRect();
            const near = m.parentElement === e.parentElement || (e.closest("label") || e.parentElement).contains(m);
            return { text: m.textContent.trim(), beside: near, visible: r.width > 0 && r.height > 0 };
        }
        return null;
    }""")


def confirm_in_page(page, watch: Watch, form: Form, before: int) -> str | None:
    """Answer the page's own dialog; a problem when there is none (or it names nothing)."""
    until = time.monotonic() + 10
    dialog = page.locator("dialog[open]").last
    while time.monotonic() < until:
        if len(watch.dialogs) > before:
            return f"asks with a browser dialog ({watch.dialogs[-1]}), not the page's own"
        if dialog.count() and dialog.is_visible():
            break
        page.wait_for_timeout(50)
    else:
        return "no confirmation dialog was shown"
    said = dialog.inner_text()
    problem = None if re.search(form.confirm, said) else f"the dialog does not name what is about to happen ({said!r})"
    if form.reason:
        area = dialog.locator("textarea, input:not([type=hidden])").first
        area.press_sequentially(form.reason)
    dialog.locator("button[type=submit], button:not([type]), button[value=ok]").filter(
        has_not_text="取消"
    ).first.click()
    return problem


def invalid_case(page, season, watch: Watch, form: Form, field: Field, ctx: dict) -> str | None:
    box = locate(page, form, field)
    put(page, season, form, field, field.invalid, ctx)
    watch.settle()
    before, dialogs = len(watch.sent), len(watch.dialogs)
    submit(page, form)
    # the browser's check is immediate; a page that sends instead gets the server's answer first
    until = time.monotonic() + 5
    while box.get_attribute("aria-invalid") != "true" and time.monotonic() < until:
        if any(sends(form, r) for r in watch.sent[before:]) and watch.in_flight == 0:
            page.wait_for_timeout(300)  # answered: the page has had its chance to mark the field
            break
        page.wait_for_timeout(50)
    if page.locator("dialog[open]").count():
        page.keyboard.press("Escape")
    watch.settle()
    problems = []
    message = message_beside(box) if box.get_attribute("aria-invalid") == "true" else None
    if not message:
        problems.append("no message beside the field")
    elif not message["visible"] or not message["beside"] or not CJK.search(message["text"]):
        problems.append(f"no Chinese message beside the field ({message})")
    # a search is the form's when it carries the field (a list reloading by itself does not)
    sent = [
        f"{r.method} {r.url}"
        for r in watch.sent[before:]
        if (sends(form, r) and (r.method != "GET" or f"{field.name}=" in r.url))
        or (r.method != "GET" and "/api/" in r.url)
    ]
    if sent:
        problems.append(f"sent although the value is wrong: {sent}")
    if len(watch.dialogs) > dialogs:
        problems.append(f"a browser dialog: {watch.dialogs[dialogs:]}")
    put(page, season, form, field, field.valid, ctx)
    return f"{field.name}={field.invalid!r}: " + "; ".join(problems) if problems else None


def valid_case(page, season, watch: Watch, form: Form, ctx: dict) -> str | None:
    watch.settle()
    dialogs = len(watch.dialogs)
    try:
        with page.expect_response(lambda r: sends(form, r.request), timeout=20_000) as answer:
            problem = None
            if form.on_change:  # the last choice sends (the others chosen first)
                for field in form.fields:
                    put(page, season, form, field, field.valid, ctx)
            else:
                submit(page, form)
                if form.confirm:
                    problem = confirm_in_page(page, watch, form, dialogs)
    except PlaywrightError as exc:
        shown = page.locator("#flash").inner_text() if page.locator("#flash").count() else ""
        return f"valid values: nothing sent ({form.sends}); the page says {shown!r}; {str(exc).splitlines()[0]}"
    response = answer.value
    if not 200 <= response.status < 300:
        return f"valid values: answered {response.status} {response.text()[:300]}"
    problems = [problem] if problem else []
    if len(watch.dialogs) > dialogs:
        problems.append(f"a browser dialog: {watch.dialogs[dialogs:]}")
    if form.said:
        try:
            expect(page.locator(form.where).first).to_contain_text(form.said.format(**ctx), timeout=30_000)
        except AssertionError:
            problems.append(f"the page does not say {form.said!r} in {form.where}")
    if page.url.endswith("/login"):
        return "; ".join(problems) or None
    # nothing of the failures typed before still shows
    if page.locator("#flash.error").count() and page.locator("#flash.error").is_visible():
        problems.append(f"a stale error stays: {page.locator('#flash').inner_text()!r}")
    stale = [e.inner_text() for e in page.locator(".field-error").all() if e.is_visible()]
    if stale:
        problems.append(f"stale field messages stay: {stale}")
    return "; ".join(problems) or None


def uncovered(page, forms: list[Form]) -> list[str]:
    """Forms, and controls outside any form, that no registry entry names."""
    selectors = (
        [f.key for f in forms]
        + [LOGOUT.key]
        + [s for f in forms for s in f.uses]
        + [fl.name for f in forms for fl in f.fields if fl.name[0] in "#[" or " " in fl.name]
    )
    return page.evaluate(
        """selectors => {
        const named = e => selectors.some(s => { try { return e.matches(s) || e.closest(s); } catch (_) { return false; } });
        const say = e => e.id ? "#" + e.id : e.outerHTML.slice(0, 160);
        const forms = [...document.querySelectorAll("form")]
          .filter(f => f.getAttribute("method") !== "dialog" && !named(f)).map(f => "form " + say(f));
        const loose = [...document.querySelectorAll("input, select, textarea")]
          .filter(e => !e.form && !e.closest("form") && e.type !== "hidden" && !named(e)).map(e => "control " + say(e));
        return [...forms, ...loose];
    }""",
        selectors,
    )


def person_for(browser, system, season, username: str) -> Person:
    people = season["people"]
    if username == "member" and username not in people:  # 个人登录 by code (decision 0041)
        people[username] = MemberPerson(browser, system, demo_id(1), "13910000001")
    if username not in people:
        people[username] = Person(browser, system.base, username)
    return people[username]


def restore_password(system, season, username: str) -> None:
    season["people"].pop(username, None)
    again = system.login(username, TYPED_PASSWORD)
    ok(again.post("/api/v1/auth/password", json={"current_password": TYPED_PASSWORD, "new_password": PASSWORD}))


def enable_again(system, season, username: str) -> None:
    """代办员变更 typed by a union's clerk disables the clerk's account: the centre enables it
    again, so the rest of the season (and the module's other tests) still have the clerk."""
    season["people"].pop(username, None)
    centre = system.login("centre")
    account = next(a for a in ok(centre.get("/api/v1/accounts", params={"q": username})) if a["username"] == username)
    ok(centre.patch(f"/api/v1/accounts/{account['id']}", json={"active": True}))


# ---- the tests -------------------------------------------------------------------------------


def test_the_walk_covers_every_page_of_every_role():
    walked = {(ROLE_OF[u], path) for u, path, _ in WALK}
    every = {(role, p.path) for p in PAGES for role in p.roles}
    assert every - walked == set(), "pages no one types into"
    assert {(u, path) for u, path, _ in WALK} == set(REGISTRY), "pages walked and pages with values differ"


@pytest.mark.parametrize("username,path,clock", WALK, ids=[f"{u}{p}" for u, p, _ in WALK])
def test_every_form_of_the_page_works_when_typed(system, browser, season, username, path, clock):
    system.set_clock(clock)
    if clock >= GRASSROOTS:
        season["grassroots_season"]()
    someone = person_for(browser, system, season, username)
    page = someone.page
    page.set_default_timeout(15_000)
    watch = Watch(page)
    ctx = {**season["shared"], **season["per_user"].get(username, {})}
    forms = REGISTRY[(username, path)]
    problems: list[str] = []
    try:
        page.goto(someone.base + path)
        page.wait_for_load_state("networkidle")
        problems += [f"no values for {what}" for what in uncovered(page, forms)]
        for form in forms:
            if form.key == "#statement" and path == "/centre/reconciliation":
                (season["folder"] / "statement.xlsx").write_bytes(season["statement"]())
            print(f"{time.strftime('%X')} {username} {path} {form.key}", flush=True)  # shown with -s
            try:
                # what the last form's answer set off (a list reloaded after 审核通过) lands first, so
                # a box ticked now is not drawn over by the reload (bounded: pages that poll never idle)
                watch.settle(limit=10)
                if form.clock:
                    system.set_clock(form.clock)
                for action in form.before:
                    step(page, season, action)
                typed = [f for f in form.fields if not form.on_change]
                for field in typed:
                    put(page, season, form, field, field.valid, ctx)
                for field in typed:
                    if field.invalid is None:
                        assert field.why, f"{form.key} {field.name}: an invalid value, or why there is none"
                        continue
                    problem = invalid_case(page, season, watch, form, field, ctx)
                    if problem:
                        problems.append(f"{form.key}: {problem}")
                problem = valid_case(page, season, watch, form, ctx)
                if problem:
                    problems.append(f"{form.key}: {problem}")
                if form.key == "#handover-form" and username == "grassroots1":
                    enable_again(system, season, username)  # its 代办员变更 ended it
                    break
                if form.key == "#password-form" and page.url.endswith("/login"):
                    restore_password(system, season, username)
                    break
                for action in form.after:
                    step(page, season, action)
            except (AssertionError, PlaywrightError) as exc:
                problems.append(f"{form.key}: {str(exc).splitlines()[0]}")
            finally:
                if form.clock:
                    system.set_clock(clock)
        if not page.url.endswith("/login"):
            problems += [f"no values for {what} (after use)" for what in uncovered(page, forms)]
        if watch.dialogs:
            problems.append(f"browser dialogs instead of the page's own: {watch.dialogs}")
        slug = path.strip("/").replace("/", "-") or "home"
        someone.shot(f"typed-{username}-{slug}")
    finally:
        watch.stop()
    assert problems == [], f"{username} {path}:\n  " + "\n  ".join(problems)


def test_the_header_logs_out(system, browser, season):
    someone = Person(browser, system.base, "district")
    page = someone.page
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/logout")) as answer:
        page.locator(LOGOUT.key).get_by_role("button", name="退出").click()
    assert answer.value.status in (302, 303), answer.value.status
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_label("用户名")).to_be_visible()
    someone.close()


def test_a_failed_uploads_message_is_gone_after_a_good_one(system, browser, season):
    """The red 导入信息有以下错误… never stays above a later 预检完成; a new task clears the last result."""
    system.set_clock(GRASSROOTS)
    someone = Person(browser, system.base, "grassroots1")
    page = someone.open("/uploads")
    page.wait_for_load_state("networkidle")
    kind, file = page.locator("#upload [name=kind]"), page.locator("#upload [name=file]")
    kind.select_option(label="同步会员（预检，不做任何修改）")
    file.set_input_files(str(season["folder"] / "roster-bad.xlsx"))
    page.locator("#upload button[type=submit]").click()
    expect(page.locator("#rows")).to_contain_text("查无此人", timeout=30_000)
    kind.select_option(label="同步会员（预检，不做任何修改）")
    file.set_input_files(str(season["folder"] / "roster-good.xlsx"))
    page.locator("#upload button[type=submit]").click()
    expect(page.locator("#outcome")).to_contain_text("预检完成", timeout=30_000)
    expect(page.locator("#outcome .error")).to_have_count(0)
    expect(page.get_by_text("导入信息有以下错误")).to_have_count(0)
    expect(page.locator("#rows")).not_to_contain_text("查无此人")
    expect(page.locator("#flash.error")).to_have_count(0)
    kind.select_option(label="批量导入会员")  # another task: the last one's result is not its result
    expect(page.locator("#outcome")).to_have_text("")
    someone.close()


def test_a_not_found_lookup_is_gone_after_a_found_one(system, browser, season):
    system.set_clock(PAYMENT)
    someone = Person(browser, system.base, "centre")
    page = someone.open("/covers")
    page.wait_for_load_state("networkidle")
    box = page.locator("#lookup-form [name=id_number]")
    box.press_sequentially(resident_id(998))
    page.locator("#lookup-form button[type=submit]").click()
    expect(page.get_by_text("未查到该人员的参保信息").first).to_be_visible()
    box.press("Control+a")
    box.press("Delete")
    box.press_sequentially(resident_id(811))
    page.locator("#lookup-form button[type=submit]").click()
    expect(page.locator("#result")).to_contain_text("打字会员811")
    expect(page.get_by_text("未查到该人员的参保信息")).to_have_count(0)
    expect(page.locator("#flash.error")).to_have_count(0)
    someone.close()
