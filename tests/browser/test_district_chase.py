"""The district's 基层工会 page (issue 27 item 6), in Chromium at a desk and on a phone: the counts
per state, each filter showing the right unions, the clerk and last login beside this year's
enrolment and money, and the same list as a workbook whose figures are the page's. Also the
gateway's answer kept to the asking district's own unions."""

from __future__ import annotations

import io

import openpyxl
from playwright.sync_api import expect

from deploy.seed import credit_code
from tests.browser.a11y import english_words
from tests.browser.conftest import carded_member, open_season
from tests.season import YEAR, ok

NEW_UNION = "上海催办测试有限公司工会"
G1 = "上海示范科技有限公司工会"
G2 = "上海示范物流有限公司工会"


def _setup(system) -> dict:
    """grassroots1 logs in and submits two B members (owes 2 × 10.00 元 to its district);
    grassroots2 never logs in nor submits; a third union comes with an account awaiting activation;
    and another district with a union of its own."""
    open_season(system)
    centre, district, g1 = system.login("centre"), system.login("district"), system.login("grassroots1")
    for serial in (901, 902):
        carded_member(g1, district, f"催办会员{serial}", serial)
    system.wait_for(
        lambda: g1.get(f"/api/v1/enrollment/confirmation?cover_year={YEAR}").json().get("headcount") == 2,
        timeout=60,
        message="grassroots1's members eligible",
    )
    ok(g1.post("/api/v1/enrollment/submissions", json={"cover_year": YEAR, "type": "B"}), 201)
    district_id = district.account["district_id"]
    union = ok(
        centre.post(
            "/api/v1/members/unions",
            json={
                "name": NEW_UNION,
                "credit_code": credit_code("91310101MA1FL0901"),
                "district_id": district_id,
                "contact_person": "钱代办",
                "phone": "13912345678",
            },
        ),
        201,
    )
    ok(
        centre.post(
            "/api/v1/accounts",
            json={
                "username": "chase_clerk",
                "display_name": "钱代办",
                "role": "grassroots",
                "union_id": union["id"],
                "email": "chase@example.cn",
            },
        ),
        201,
    )
    other = ok(centre.post("/api/v1/members/districts", json={"name": "静安区总工会", "kind": "district"}), 201)
    ok(
        centre.post(
            "/api/v1/members/unions",
            json={
                "name": "静安他区工会",
                "credit_code": credit_code("91310106MA1FL0902"),
                "district_id": other["id"],
                "contact_person": "孙",
                "phone": "13900000902",
            },
        ),
        201,
    )
    ok(
        centre.post(
            "/api/v1/accounts",
            json={
                "username": "jingan",
                "display_name": "静安区总工会",
                "password": "Harbour#Dist2026x",
                "role": "district",
                "district_id": other["id"],
            },
        ),
        201,
    )

    def settled() -> bool:
        data = district.get(f"/api/v1/district-unions/{YEAR}").json()
        return data.get("counts", {}).get("all") == 3 and data["counts"]["owing"] == 1

    system.wait_for(settled, timeout=60, message="enrollment knows the new union and billing priced the submission")
    return {"district": district, "union_id": union["id"]}


def _names(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return sorted(t.split("\n")[0].strip() for t in page.locator("#unions tbody td:first-child").all_inner_texts())


def test_the_district_chases_its_unions_by_state_and_downloads_the_list(system, person):
    made = _setup(system)
    district = made["district"]

    # the gateway answers the asking district only, and only districts ask
    own = district.get(f"/api/v1/district-unions/{YEAR}").json()
    jingan = system.login("jingan", "Harbour#Dist2026x").get(f"/api/v1/district-unions/{YEAR}").json()
    assert [u["name"] for u in jingan["items"]] == ["静安他区工会"] and jingan["counts"]["all"] == 1
    assert "静安他区工会" not in [u["name"] for u in own["items"]]
    assert system.login("grassroots1").get(f"/api/v1/district-unions/{YEAR}").status_code == 403
    bad = district.get(f"/api/v1/district-unions/{YEAR}", params={"show": "inactive", "name": "示范"})
    assert bad.status_code == 422 and "name" in bad.json()["error"]["fields"]
    assert own["counts"] == {
        "all": 3,
        "not_submitted": 2,
        "returned": 0,
        "submitted": 1,
        "owing": 1,
        "inactive": 1,
        "never_logged_in": 2,
    }

    clerk = person("district", viewport=(1280, 800))
    page = clerk.open("/district/unions")
    page.get_by_label("保障年度").select_option(str(YEAR))
    page.get_by_role("button", name="查询").click()
    tiles = page.locator("#states")
    expect(tiles.locator("[data-show='']")).to_contain_text("3")
    expect(tiles.locator("[data-show='not_submitted']")).to_contain_text("2")
    expect(tiles.locator("[data-show='owing']")).to_contain_text("1")
    expect(tiles.locator("[data-show='inactive']")).to_contain_text("1")
    expect(tiles.locator("[data-show='never_logged_in']")).to_contain_text("2")
    assert _names(page) == sorted([G1, G2, NEW_UNION])

    expected = {
        "not_submitted": [G2, NEW_UNION],
        "returned": [],
        "owing": [G1],
        "inactive": [NEW_UNION],
        "never_logged_in": [G2, NEW_UNION],
    }
    for show, names in expected.items():
        tiles.locator(f"[data-show='{show}']").click()
        expect(tiles.locator(f"[data-show='{show}']")).to_have_attribute("aria-pressed", "true")
        if names:
            expect(page.locator("#unions tbody tr")).to_have_count(len(names))
            assert _names(page) == sorted(names), show
        else:
            expect(page.locator("#unions")).to_contain_text("没有已退回的基层工会")
    tiles.locator("[data-show='owing']").click()
    row = page.locator("#unions tbody tr").first
    expect(row).to_contain_text("已提交")
    expect(row).to_contain_text("待区局审核")
    expect(row).to_contain_text("20.00")  # 应缴 and 欠缴: two B members at 10.00 元 each
    expect(row).to_contain_text("已激活")
    shown = {
        t: row.locator(f"td[data-label='{t}']").inner_text().strip() for t in ("应缴（元）", "已缴（元）", "欠缴（元）")
    }
    assert shown == {"应缴（元）": "20.00", "已缴（元）": "0.00", "欠缴（元）": "20.00"}
    tiles.locator("[data-show='inactive']").click()
    expect(page.locator("#unions tbody tr").first).to_contain_text("待激活")
    expect(page.locator("#unions tbody tr").first).to_contain_text("139****5678")  # masked
    expect(page.locator("#unions tbody tr").first).to_contain_text("从未登录")
    assert english_words(page) == []
    clerk.shot("district-unions-chase-1280")

    # the same list as a workbook, its figures the page's
    answered = district.get(f"/api/v1/district-unions/{YEAR}/workbook.xlsx")
    assert answered.status_code == 200, answered.text[:300]
    assert "attachment" in answered.headers["Content-Disposition"]
    tiles.locator("[data-show='']").click()
    expect(page.locator("#unions tbody tr")).to_have_count(3)
    with page.expect_download() as got:
        page.get_by_role("link", name="导出 Excel").click()
    sheet = openpyxl.load_workbook(io.BytesIO(open(got.value.path(), "rb").read())).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[0] == "单位名称" and header[-3:] == ["应缴（元）", "已缴（元）", "欠缴（元）"]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert sorted(by_name) == sorted([G1, G2, NEW_UNION])
    assert {t: f"{float(by_name[G1][t]):.2f}" for t in shown} == shown  # the workbook's figures are the page's
    assert by_name[G1]["参保人数"] == 2 and by_name[G1]["参保状态"] == "已提交"
    assert by_name[NEW_UNION]["账号状态"] == "待激活" and by_name[NEW_UNION]["联系电话"] == "139****5678"
    assert by_name[G2]["参保状态"] == "未提交" and by_name[G2]["最近登录"] is None
    assert by_name[G1]["最近登录"] is not None
    page_g1 = next(u for u in own["items"] if u["name"] == G1)
    assert round(float(by_name[G1]["应缴（元）"]) * 100) == page_g1["due_fen"] == 2000


def test_the_list_reads_on_a_phone(system, person):
    clerk = person("district", viewport=(390, 844))
    page = clerk.open("/district/unions")
    page.get_by_label("保障年度").select_option(str(YEAR))
    page.get_by_role("button", name="查询").click()
    page.locator("#states [data-show='not_submitted']").click()
    expect(page.locator("#unions tbody tr")).to_have_count(2)
    assert _names(page) == sorted([G2, NEW_UNION])
    assert english_words(page) == []
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, f"the page is {wide}px wide on a phone"
    expect(page.locator("#unions tbody tr").first.locator("td[data-label='欠缴（元）']")).to_be_visible()
    clerk.shot("district-unions-chase-390")
    # a name search with an account filter is refused beside the name, in words
    page.get_by_role("textbox", name="单位名称").fill("示范")
    page.get_by_role("button", name="查询").click()
    page.locator("#states [data-show='inactive']").click()
    expect(page.locator("#search .field-error")).to_contain_text("请清空单位名称")
