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

from tests.e2e.test_enrollment_season import PRICES, TIMELINE, YEAR, ok, resident_id

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


def png_voucher() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def season(system, tmp_path_factory):
    system.set_clock("2019-10-01T09:00:00")
    centre, district = system.login("centre"), system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    ok(centre.put(f"{E}/cover-years/{YEAR}", json=TIMELINE))
    entries = [{"type": t, "price_class": c, "premium": p, "city_subsidy": s, "special_city_subsidy": sp}
               for t, (full, city, special, half, half_city, half_special) in PRICES.items()
               for c, p, s, sp in (("centralised", full, city, special), ("instant_first_half", full, city, special),
                                   ("instant_second_half", half, half_city, half_special))]
    system.wait_for(lambda: centre.put(f"/api/v1/billing/price-tables/{YEAR}", json={"entries": entries})
                    .status_code == 200, timeout=60, message="price table")
    system.set_clock("2019-10-26T10:00:00")
    system.wait_for(lambda: district.put(f"/api/v1/billing/splits/{YEAR}", json={"types": {
        "A": {"district_share": "13", "grassroots_share": "0"}, "A+": {"district_share": "63", "grassroots_share": "0"},
        "B": {"district_share": "40", "grassroots_share": "10"}, "B+": {"district_share": "100", "grassroots_share": "0"}}}
    ).status_code == 200, timeout=60, message="split")
    system.set_clock("2019-11-05T10:00:00")
    people = {}
    for session, count, base in ((g1, 3, 500), (g2, 2, 600)):
        for i in range(count):
            serial = base + i
            member = ok(session.post("/api/v1/members/members", json={
                "name": f"浏览器会员{serial}", "id_number": resident_id(serial), "address": "上海市黄浦区",
                "mobile": f"139{serial:08d}", "education": "大学本科", "household_type": "非农业"}), 201)
            ok(district.post("/api/v1/members/members/approvals", json={"member_ids": [member["id"]]}))
            ok(session.put(f"/api/v1/members/members/{member['id']}/card",
                           json={"card_number": f"62220200{serial:08d}", "issued_on": "2019-11-01"}))
            people.setdefault(session.account["username"], []).append((member["name"], resident_id(serial)))
    folder = tmp_path_factory.mktemp("files")
    good = people["grassroots1"]
    (folder / "roster-bad.xlsx").write_bytes(roster_xlsx(good + [("查无此人", resident_id(999))]))
    (folder / "roster-good.xlsx").write_bytes(roster_xlsx(good))
    (folder / "voucher.png").write_bytes(png_voucher())
    for session, n in ((g1, 3), (g2, 2)):
        system.wait_for(lambda s=session, n=n: s.get(f"{E}/confirmation?cover_year={YEAR}").json().get("headcount") == n,
                        timeout=60, message="eligible members")
    return {"folder": folder, "g2": g2}


def test_a_season_by_clicking(system, season, person):
    folder = season["folder"]
    grassroots = person("grassroots1")
    page = grassroots.open("/uploads")
    page.get_by_label("要做的事").select_option("sync")
    page.get_by_label(re.compile("Excel 文件")).set_input_files(str(folder / "roster-bad.xlsx"))
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#rows")).to_contain_text("未查到该会员信息", timeout=30_000)
    expect(page.locator("#rows")).to_contain_text("查无此人")  # the row is named, with its number
    expect(page.locator("#page-text")).to_contain_text("条错误，第 1 / 1 页")  # paged, and all downloadable
    expect(page.locator("#errors-download")).to_have_attribute("href", re.compile(r"/uploads/\d+/errors\.xlsx$"))
    grassroots.shot("season-1-sync-error")
    page.get_by_label(re.compile("Excel 文件")).set_input_files(str(folder / "roster-good.xlsx"))
    page.get_by_label("要做的事").select_option("sync")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#outcome")).to_contain_text("处理完成", timeout=30_000)
    expect(page.locator("#outcome")).to_contain_text("A 已在本会")
    grassroots.shot("season-2-sync-ok")

    page = grassroots.open("/union/enrolment")
    expect(page.locator("#totals")).not_to_be_empty()
    page.get_by_label("保障年度").select_option(str(YEAR))
    expect(page.locator("#totals")).to_contain_text("参保人数3")
    page.get_by_label("保障类型").select_option("A+")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="提交至区局审核").click()
    expect(page.locator("#flash")).to_contain_text("已提交 3 人", timeout=15_000)
    expect(page.locator("#submissions")).to_contain_text("A+")
    grassroots.shot("season-3-submitted")
    ok(season["g2"].post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B"}), 201)

    district = person("district")
    page = district.open("/district/review")
    expect(page.locator("#totals")).not_to_be_empty()
    page.get_by_label("保障年度").select_option(str(YEAR))
    pending = page.locator("#pending")
    expect(pending).to_contain_text("上海示范物流有限公司工会")
    row = pending.locator("tr", has_text="上海示范物流有限公司工会")
    page.once("dialog", lambda d: d.accept("名单有误，请核对后重新提交"))
    row.get_by_role("button", name="退回").click()
    expect(page.locator("#flash")).to_have_text("已退回")
    pending.locator("tr", has_text="上海示范科技有限公司工会").get_by_role("button", name="添加至待提交").click()
    expect(page.locator("#staged")).to_contain_text("上海示范科技有限公司工会")
    expect(page.locator("#totals")).to_contain_text("228.00")  # 3 × A+ 76.00
    district.shot("season-4-review")
    system.set_clock("2019-12-29T10:00:00")
    form = page.locator("#submit")
    expect(page.get_by_text("提交后生成参保批次，批次内容不能再修改")).to_be_visible()
    form.get_by_label("经办人姓名").fill("张三")
    form.get_by_label("联系电话").fill("13800138000")
    form.get_by_label("电子邮箱").fill("zhangsan@example.com")
    page.once("dialog", lambda d: d.accept())
    form.get_by_role("button", name="提交列表中的参保信息").click()
    expect(page.locator("#flash")).to_contain_text("批次编号 CB20191229", timeout=15_000)
    district.shot("season-5-batch")

    system.set_clock("2020-01-15T10:00:00")  # paid, before the 20 January deadline
    page = district.open("/batches")
    expect(page.locator("#batches")).to_contain_text("CB20191229")
    page.locator("#batches").get_by_role("button", name="详情").first.click()
    expect(page.locator("#detail")).to_contain_text("应缴金额", timeout=30_000)
    voucher = page.locator("#voucher")
    voucher.get_by_label("缴费金额（元）").fill("189.00")
    voucher.get_by_label("缴费日期").fill("2020-01-10")
    voucher.get_by_label("凭证文件").set_input_files(str(folder / "voucher.png"))
    voucher.get_by_role("button", name="上传凭证").click()
    expect(page.locator("#flash")).to_have_text("凭证已上传", timeout=15_000)
    district.shot("season-6-voucher")

    centre = person("centre")
    page = centre.open("/centre/reconciliation")
    row = page.locator("#list tr", has_text="CB20191229")
    expect(row).to_be_visible(timeout=30_000)
    row.get_by_role("button", name="处理").click()
    writeoff = page.locator("#writeoff")
    writeoff.get_by_label("到账金额（元）").fill("189.00")
    writeoff.get_by_label("到账日期").fill("2020-01-12")
    writeoff.get_by_label("银行流水号").fill("BANK-20200112-001")
    page.once("dialog", lambda d: d.accept())
    writeoff.get_by_role("button", name="核销").click()
    expect(page.locator("#flash")).to_have_text("已核销", timeout=15_000)
    centre.shot("season-7-written-off")
