"""A whole season by clicking, as the three roles, in Chromium: a grassroots union syncs a
roster with an error row, fixes it and syncs again, submits its enrolment; another union submits
too; the district returns one, stages the other and submits to the centre (with the warning that
it cannot be undone); the district uploads the voucher; the centre writes the batch off.
Setup that is not the point here (the cover year, prices, the split, carded members) is done
through the same API. Screenshots are kept in test-artifacts/screenshots/."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.a11y import axe_violations
from tests.browser.conftest import carded_member, confirm, open_season
from tests.e2e.test_enrollment_season import YEAR, ok, resident_id

E = "/api/v1/enrollment"


def roster_xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "证件号码"])
    for name, id_number in rows:
        ws.append([name, id_number])
        ws.cell(row=ws.max_row, column=2).number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def statement_xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "银行流水"
    ws.append(["日期", "付款人", "金额", "摘要"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def png_voucher() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def season(system, tmp_path_factory):
    open_season(system, credit_fen=5000)
    district = system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    people = {}
    for session, count, base in ((g1, 3, 500), (g2, 2, 600)):
        for i in range(count):
            serial = base + i
            member = carded_member(session, district, f"浏览器会员{serial}", serial)
            people.setdefault(session.account["username"], []).append((member["name"], resident_id(serial)))
    folder = tmp_path_factory.mktemp("files")
    good = people["grassroots1"]
    (folder / "roster-bad.xlsx").write_bytes(roster_xlsx([*good, ("查无此人", resident_id(999))]))
    (folder / "roster-good.xlsx").write_bytes(roster_xlsx(good))
    (folder / "voucher.png").write_bytes(png_voucher())
    (folder / "voucher.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    for session, n in ((g1, 3), (g2, 2)):
        system.wait_for(
            lambda s=session, n=n: s.get(f"{E}/confirmation?cover_year={YEAR}").json().get("headcount") == n,
            timeout=60,
            message="eligible members",
        )
    return {"folder": folder, "g2": g2}


def test_a_season_by_clicking(system, season, person):
    folder = season["folder"]
    grassroots = person("grassroots1")
    page = grassroots.open("/uploads")
    page.get_by_label("要做的事").select_option("sync")
    page.get_by_label(re.compile("Excel 文件")).set_input_files(str(folder / "roster-bad.xlsx"))
    page.get_by_role("button", name="上传").click()
    confirm(page, "开始同步", "roster-bad.xlsx")
    expect(page.locator("#rows")).to_contain_text("未查到该会员信息", timeout=30_000)
    expect(page.locator("#rows")).to_contain_text("查无此人")  # the row is named, with its number
    expect(page.locator("#page-text")).to_contain_text("条错误，第 1 / 1 页")  # paged, and all downloadable
    expect(page.locator("#errors-download")).to_have_attribute("href", re.compile(r"/uploads/\d+/errors\.xlsx$"))
    grassroots.shot("season-1-sync-error")
    page.get_by_label(re.compile("Excel 文件")).set_input_files(str(folder / "roster-good.xlsx"))
    page.get_by_label("要做的事").select_option("sync")
    page.get_by_role("button", name="上传").click()
    confirm(page, "开始同步", "roster-good.xlsx")
    expect(page.locator("#outcome")).to_contain_text("处理完成", timeout=30_000)
    expect(page.locator("#outcome")).to_contain_text("A 已在本会")
    expect(page.get_by_label("要做的事")).to_have_value("sync")  # the task stays what the clerk chose
    expect(page.locator("#outcome .error")).to_have_count(0)  # nothing left of the refused roster
    expect(page.locator("#flash")).not_to_have_class("error")
    expect(page.locator("#rows")).to_be_empty()
    grassroots.shot("season-2-sync-ok")
    # another task chosen: the last task's result is gone
    other = page.locator("#kind option:not([value=sync])").first.get_attribute("value")
    page.get_by_label("要做的事").select_option(other)
    expect(page.locator("#outcome")).to_be_empty()
    expect(page.locator("#rows")).to_be_empty()
    expect(page.locator("#rows-pager")).to_be_hidden()

    page = grassroots.open("/union/enrolment")
    expect(page.locator("#totals")).not_to_be_empty()
    page.get_by_label("保障年度").select_option(str(YEAR))
    expect(page.locator("#totals")).to_contain_text("参保人数3")
    page.get_by_label("保障类型").select_option("A+")
    with page.expect_download(timeout=60_000) as notice:  # the guide: the notice downloads on submit
        page.get_by_role("button", name="提交至区局审核").click()
        confirm(page, "提交", "A+ 类", "3 人")
        expect(page.locator("#flash")).to_contain_text("已提交 3 人，待区局审核", timeout=15_000)
    assert notice.value.suggested_filename.endswith(".pdf")
    expect(page.locator("#flash")).to_contain_text("参保告知书已下载")
    expect(page.locator("#waiting")).to_have_text("已提交 3 人，待区局审核。")  # not empty tiles
    expect(page.locator("#totals")).to_contain_text("已提交人数3")
    expect(page.locator("#totals")).to_contain_text("尚可提交人数0")
    expect(page.locator("#submissions")).to_contain_text("A+")
    expect(page.locator("#submissions")).to_contain_text("228.00")  # billing's figure on the submission
    grassroots.shot("season-3-submitted")
    page = grassroots.open("/documents")  # and it stays in 告知书下载
    expect(page.locator("#docs")).to_contain_text(".pdf")
    ok(season["g2"].post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B"}), 201)

    district = person("district")
    page = district.open("/district/review")
    expect(page.locator("#totals")).not_to_be_empty()
    page.get_by_label("保障年度").select_option(str(YEAR))
    pending = page.locator("#pending")
    expect(pending).to_contain_text("上海示范物流有限公司工会")
    # a submission opens to its people, paged and searchable
    pending.locator("tr", has_text="上海示范科技有限公司工会").get_by_role("button", name="查看人员").click()
    people = page.get_by_role("dialog")
    expect(people).to_contain_text("共 3 人")
    expect(people.locator("tbody tr")).to_have_count(3)
    people.get_by_label("姓名或证件号码").fill("浏览器会员501")
    people.get_by_role("button", name="查询").click()
    expect(people.locator("tbody tr")).to_have_count(1)
    expect(people).to_contain_text("符合条件 1 人")
    assert axe_violations(page) == []  # the dialog too
    district.shot("season-4a-people")
    people.get_by_role("button", name="关闭").click()
    # the return reason in an in-page dialog (never prompt()); an empty reason is refused there
    row = pending.locator("tr", has_text="上海示范物流有限公司工会")
    browser_dialogs = []

    def no_browser_dialog(d):
        browser_dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", no_browser_dialog)
    row.get_by_role("button", name="退回").click()
    ask = page.get_by_role("dialog")
    ask.get_by_role("button", name="退回").click()
    expect(ask.locator(".field-error")).to_have_text("请填写退回原因")
    ask.get_by_label("退回原因").fill("名单有误，请核对后重新提交")
    assert axe_violations(page) == []
    district.shot("season-4b-return-dialog")
    ask.get_by_role("button", name="退回").click()
    expect(page.locator("#flash")).to_contain_text("已退回")
    assert not browser_dialogs
    # the returned union's notice stays listed, marked 已作废 with the reason (decision 0034)
    system.wait_for(
        lambda: any(d["withdrawn_at"] for d in season["g2"].get("/api/v1/documents/documents").json()["items"]),
        timeout=60,
        message="documents withdraws the returned submission's notice",
    )
    returned = person("grassroots2").open("/documents")
    expect(returned.locator("#docs")).to_contain_text("已作废（区局退回")
    expect(returned.locator("#docs")).to_contain_text("名单有误，请核对后重新提交")
    # nothing staged yet: 提交 says what to do first, and asks nothing about submitting nothing
    empty = page.locator("#submit")
    empty.get_by_label("经办人姓名").fill("张三")
    empty.get_by_label("联系电话").fill("13800138000")
    empty.get_by_label("电子邮箱").fill("zhangsan@example.com")
    empty.get_by_role("button", name="提交列表中的参保信息").click()
    expect(page.locator("#flash")).to_contain_text("待提交列表是空的")
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert not browser_dialogs
    # bulk: tick, then 添加至待提交 above the table
    pending.locator("tr", has_text="上海示范科技有限公司工会").get_by_role("checkbox").check()
    page.get_by_role("button", name="添加至待提交", exact=True).first.click()
    expect(page.locator("#flash")).to_have_text("已添加 1 项至待提交列表", timeout=15_000)
    staged = page.locator("#staged")
    expect(staged).to_contain_text("上海示范科技有限公司工会")
    expect(staged).to_contain_text("228.00")  # 保障费用: 3 × A+ 76.00
    expect(staged).to_contain_text("集中参保")  # 参保类型
    expect(page.locator("#totals")).to_have_text(
        "合计参保人数：3人。保障费用：228.00元；市总统一划拨：39.00元；区局/各级工会缴费：189.00元；基层单位缴费：0.00元。"
    )
    expect(page.locator("#credit")).to_have_text(
        f"{YEAR - 2}年会员计划退回金额50.00元，可用于抵扣{YEAR}年集中参保费用。"
    )
    district.shot("season-4-review")
    system.set_clock("2019-12-29T10:00:00")
    form = page.locator("#submit")
    expect(page.get_by_text("提交后生成参保批次，批次内容不能再修改")).to_be_visible()
    form.get_by_label("经办人姓名").fill("张三")
    form.get_by_label("联系电话").fill("13800138000")
    form.get_by_label("电子邮箱").fill("zhangsan@example")
    form.get_by_role("button", name="提交列表中的参保信息").click()
    # checked before the irreversible confirmation, the message beside the field, in view, focused
    error = form.locator(".field-error")
    expect(error).to_have_text("电子邮箱格式不正确，如 name@example.com")
    expect(error).to_be_in_viewport()
    expect(form.get_by_label("电子邮箱")).to_be_focused()
    expect(page.locator("#flash")).to_be_in_viewport()
    expect(page.locator("#flash")).to_contain_text("电子邮箱")
    assert "handler" not in page.locator("#flash").inner_text() and not browser_dialogs
    district.shot("season-5a-handler-error")
    page.remove_listener("dialog", no_browser_dialog)
    form.get_by_label("电子邮箱").fill("zhangsan@example.com")
    with page.expect_download(timeout=60_000) as notice:  # the district notice downloads too
        form.get_by_role("button", name="提交列表中的参保信息").click()
        confirm(page, "提交", "3 人", "228.00")
        expect(page.locator("#flash")).to_contain_text("批次编号 CB20191229", timeout=15_000)
    assert notice.value.suggested_filename.endswith(".pdf")
    batch_no = re.search(r"CB\d+", page.locator("#flash").inner_text()).group(0)
    district.shot("season-5-batch")

    system.set_clock("2020-01-15T10:00:00")  # paid, before the 20 January deadline
    page = district.open("/batches")
    expect(page.locator("#batches")).to_contain_text("CB20191229")
    page.locator("#batches").get_by_role("button", name="详情").first.click()
    expect(page.locator("#detail")).to_contain_text("应缴金额", timeout=30_000)
    voucher = page.locator("#voucher")
    expect(page.locator("#detail")).to_contain_text("139.00")  # 189.00 less the 50.00 credit
    links = page.locator("#detail-card .links")
    expect(links).to_have_text(
        "下载区局告知书（PDF）", use_inner_text=True
    )  # no stray "·" before a voucher there is not yet
    # the batch's unions, each opening to its people; a full ID number only on asking (audited)
    unions = page.locator("#batch-unions")
    expect(unions).to_contain_text("上海示范科技有限公司工会")
    unions.get_by_role("button", name="查看人员").first.click()
    people = page.get_by_role("dialog", name=re.compile("参保人员"))
    expect(people.locator("tbody tr")).to_have_count(3)
    masked = people.locator("[data-id-of]").first
    expect(masked).to_contain_text("*")
    people.get_by_role("button", name=re.compile("^查看完整号码")).first.click()
    expect(masked).to_have_text(re.compile(r"^\d{17}[\dX]$"))
    district.shot("season-5b-batch-people")
    people.get_by_role("button", name="关闭").click()
    # paid in two transfers: two vouchers, both kept, 已上传凭证金额 their sum (issue 26)
    for amount, paid_on, name in (("100.00", "2020-01-10", "voucher.png"), ("39.00", "2020-01-11", "voucher.pdf")):
        voucher.get_by_label("缴费金额（元）").fill(amount)
        voucher.get_by_label("缴费日期").fill(paid_on)
        voucher.get_by_label("凭证文件").set_input_files(str(folder / name))
        voucher.get_by_role("button", name="上传凭证").click()
        expect(page.locator("#flash")).to_have_text("凭证已上传", timeout=15_000)
        expect(page.locator("#vouchers")).to_contain_text(name, timeout=15_000)
    listed = page.locator("#vouchers tbody tr")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text("100.00")
    expect(listed.nth(1)).to_contain_text("39.00")
    expect(page.locator("#voucher-sum")).to_contain_text("139.00 元，共 2 张")
    expect(page.locator("#detail")).to_contain_text("凭证已上传")
    # the first one is shown in the page, not only downloaded
    listed.nth(0).get_by_role("button", name=re.compile("^查看")).click()
    image = page.locator("#voucher-image")
    expect(image).to_be_visible()
    page.wait_for_function("() => document.getElementById('voucher-image').naturalWidth === 40")
    listed.nth(1).get_by_role("button", name=re.compile("^查看")).click()
    expect(page.locator("#voucher-pdf")).to_be_visible()
    expect(image).to_be_hidden()
    framed = page.request.get(district.base + page.locator("#voucher-pdf").get_attribute("src"))
    assert framed.ok and framed.body().startswith(b"%PDF-")
    assert (
        framed.headers["content-disposition"].startswith("inline") and framed.headers["x-frame-options"] == "SAMEORIGIN"
    )
    assert "frame-ancestors 'self'" in framed.headers["content-security-policy"]
    district.shot("season-6-voucher")

    centre = person("centre")
    page = centre.open("/centre/reconciliation")
    row = page.locator("#list tr", has_text="CB20191229")
    expect(row).to_be_visible(timeout=30_000)
    # the bank statement line matched by the batch number prefills 核销: nothing is retyped
    (folder / "statement.xlsx").write_bytes(
        statement_xlsx([["2020-01-12", "黄浦区总工会", "139.00", f"{batch_no} 集中参保"]])
    )
    page.get_by_label("银行流水文件").set_input_files(str(folder / "statement.xlsx"))
    page.get_by_role("button", name="导入").click()
    expect(page.locator("#statement-result")).to_contain_text("已匹配 1 行", timeout=15_000)
    row.get_by_role("button", name="处理").click()
    writeoff = page.locator("#writeoff")
    expect(page.locator("#prefill-note")).to_be_visible()
    expect(writeoff.get_by_label("到账金额（元）")).to_have_value("139.00")
    expect(writeoff.get_by_label("到账日期")).to_have_value("2020-01-12")
    # the template has no serial column: the memo is the 附言, not a serial, so the clerk types it
    expect(writeoff.get_by_label("银行流水号")).to_have_value("")
    writeoff.get_by_label("银行流水号").press_sequentially("BANK20200112001")
    centre.shot("season-7a-prefilled")
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone: the row as a card, all in view
    handle = page.locator("#list td.actions").get_by_role("button", name="处理").first
    assert handle.evaluate("e => e.getBoundingClientRect().right") <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    centre.shot("season-7a-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    writeoff.get_by_role("button", name="核销").click()
    confirm(page, "核销", batch_no, "139.00")
    expect(page.locator("#flash")).to_have_text(f"批次 {batch_no} 已核销", timeout=15_000)
    centre.shot("season-7-written-off")
    # written off: read-only everywhere — no 发送反馈 or 核销 here, no upload or 撤回 for the district
    expect(page.locator("#read-only")).to_be_visible()
    expect(page.locator("#actions")).to_be_hidden()
    expect(row).to_contain_text("已核销")
    district_page = district.open("/batches")
    expect(district_page.locator("#batches")).to_contain_text("已核销", timeout=30_000)
    district_page.locator("#batches").get_by_role("button", name="详情").first.click()
    expect(district_page.locator("#vouchers tbody tr")).to_have_count(2, timeout=30_000)
    expect(district_page.locator("#voucher-upload")).to_be_hidden()
    expect(district_page.locator("#vouchers").get_by_role("button", name=re.compile("^撤回"))).to_have_count(0)
    # the status filter offers exactly billing's statuses, and filters by them
    status = district_page.locator("#filter").get_by_label("缴费状态")
    assert status.locator("option").all_inner_texts() == [
        "全部",
        "待缴费",
        "凭证已上传",
        "职保中心已反馈",
        "部分到账",
        "已到账待核销",
        "已核销",
        "逾期未缴费，参保失败",
    ]
    status.select_option(label="待缴费")
    district_page.locator("#filter").get_by_role("button", name="查询").click()
    expect(district_page.locator("#batches")).to_contain_text("没有符合条件的批次")
    status.select_option(label="已核销")
    district_page.locator("#filter").get_by_role("button", name="查询").click()
    expect(district_page.locator("#batches")).to_contain_text(batch_no)
    # a bar's figures whole ("504.00 / 504.00", never "504.00 / 504."): U.bars as the dashboard calls it
    page = centre.open("/")
    fits = page.evaluate("""() => {
        const box = document.createElement("div"); box.style.width = "640px"; document.querySelector("main").append(box);
        box.innerHTML = U.bars([{ label: "黄浦区总工会", value: 504, max: 504, text: "504.00 / 504.00" },
                                { label: "浦东新区总工会", value: 1234567.89, max: 2345678.9, text: "1234567.89 / 2345678.90" }]);
        const svg = box.querySelector("svg");
        return [...svg.querySelectorAll("text")].every(t => { const b = t.getBBox(); return b.x + b.width <= svg.viewBox.baseVal.width; });
    }""")
    assert fits
    centre.shot("season-8-bars")


def tiles(page, selector: str) -> dict[str, str]:
    """A row of tiles as a person reads them: label → figure."""
    # (a locator, not wait_for_function: its string would be eval'd in the page, which the strict CSP refuses)
    expect(page.locator(f"{selector} .tile strong").first).to_be_attached()
    pairs = page.eval_on_selector_all(
        f"{selector} .tile",
        "els => els.map(t => [t.querySelector('span').textContent, t.querySelector('strong').textContent])",
    )
    return {label: value.replace(",", "") for label, value in pairs}


def shown(fen: int) -> str:
    return f"{fen / 100:.2f}"


def test_every_figure_on_the_pages_equals_the_ledger(system, season, person):
    """One truth, as seen (issue 12): after the season above, each role's tiles and the batch page
    show billing's figures to the fen — 已缴 is the money received, the voucher its own figure."""
    centre_api, district_api = system.login("centre"), system.login("district")
    batch = next(
        b for b in ok(district_api.get(f"/api/v1/billing/batches?cover_year={YEAR}")) if b["batch_no"].startswith("CB")
    )
    money = ok(district_api.get(f"/api/v1/billing/dashboard/{YEAR}"))["districts"][0]
    assert batch["money_received_fen"] == batch["due_fen"] == money["paid_fen"]  # written off in full

    district = person("district")
    board = tiles(district.open("/"), "#overview")
    assert board["应缴（元）"] == shown(money["due_fen"]) == shown(batch["due_fen"])
    assert board["已缴（到账，元）"] == shown(money["paid_fen"])
    assert board["已上传凭证金额（元）"] == shown(batch["voucher_declared_fen"])
    assert board["未缴（元）"] == shown(money["outstanding_fen"])
    page = district.open("/batches")
    page.locator("#batches").get_by_role("button", name="详情").first.click()
    detail = tiles(page, "#detail")
    assert detail["保障费用"] == shown(batch["premium_fen"]) and detail["应缴金额"] == shown(batch["due_fen"])
    assert detail["工会承担（保费−市总划拨）"] == shown(batch["union_share_fen"])
    # the split the review page and the notice show: 区局 + 基层 = 工会承担, to the fen
    shares = [sum(t[k] for t in batch["by_type"]) for k in ("district_share_fen", "grassroots_share_fen")]
    assert detail["市总统一划拨"] == shown(batch["city_subsidy_fen"])
    assert (detail["区局（产业）工会承担"], detail["基层单位承担"]) == tuple(shown(x) for x in shares)
    assert sum(shares) == batch["union_share_fen"]
    assert detail["已缴（到账）"] == shown(batch["money_received_fen"])
    district.shot("season-8-ledger-district")

    union = ok(system.login("grassroots1").get(f"/api/v1/billing/dashboard/{YEAR}"))["unions"][0]
    grassroots = person("grassroots1")
    assert tiles(grassroots.open("/"), "#overview")["应划入区局（元）"] == shown(union["grassroots_owes_fen"])
    page = grassroots.open("/union/enrolment")
    page.get_by_label("保障年度").select_option(str(YEAR))
    expect(page.locator("#submissions")).to_contain_text(shown(union["premium_fen"]))

    everything = ok(centre_api.get(f"/api/v1/billing/dashboard/{YEAR}"))["districts"]
    centre = person("centre")
    board = tiles(centre.open("/"), "#overview")
    assert board["应缴（元）"] == shown(sum(d["due_fen"] for d in everything))
    assert board["已缴（到账，元）"] == shown(sum(d["paid_fen"] for d in everything))
    centre.shot("season-9-ledger-centre")
