"""开启下一年度 on the centre's 年度 page, in a browser: one click proposes 2021 from 2020, the
review shows every date with 2020's beside it and why; the centre types a changed payment
deadline, saves, reads the answer; the prices copied from 2020 are shown as copied and saved only
when the centre saves them."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.season import TIMELINE, YEAR, ok, price_entries


def test_the_centre_reviews_changes_and_saves_the_proposed_year(system, person):
    system.set_clock("2020-09-01T09:00:00")
    centre = system.login("centre")
    ok(centre.put(f"/api/v1/enrollment/cover-years/{YEAR}", json=TIMELINE))
    system.wait_for(
        lambda: (
            centre.put(f"/api/v1/billing/price-tables/{YEAR}", json={"entries": price_entries()}).status_code == 200
        ),
        timeout=60,
        message="price table",
    )

    clerk = person("centre")
    page = clerk.open("/centre/years")
    # the demo's own year is on the list too: the 2020 row's button
    page.locator("#years tr", has_text="2019-10-25").get_by_role("button", name="开启下一年度").click()
    review = page.locator("#next-year")
    expect(review).to_be_visible()
    expect(page.locator("#next-title")).to_have_text(f"开启 {YEAR + 1} 年度：核对由 {YEAR} 年度推算的建议")
    split_row = review.locator("tr", has_text="参保金额比例设置开始")
    expect(split_row).to_contain_text("2019-10-25")
    expect(split_row).to_contain_text("2020-10-26（周一）")
    expect(split_row).to_contain_text("顺延至周一")
    expect(page.locator("#next-checks li").first).to_contain_text("符合")
    # nothing saved by proposing
    assert centre.get(f"/api/v1/enrollment/cover-years/{YEAR + 1}").status_code == 404

    form = page.locator("#year-form")
    expect(form.locator("[name=cover_year]")).to_have_value(str(YEAR + 1))
    expect(form.locator("[name='grassroots_window.1']")).to_have_value("2020-12-25")
    deadline = form.locator("[name=payment_deadline]")
    expect(deadline).to_have_value("2021-01-20")
    deadline.click()
    deadline.press("Control+a")
    deadline.press("Delete")
    deadline.press_sequentially("2021-01-22")
    with page.expect_response(
        lambda r: r.request.method == "PUT" and r.url.endswith(f"/enrollment/cover-years/{YEAR + 1}")
    ) as answer:
        form.get_by_role("button", name="保存").click()
    assert answer.value.status == 200, answer.value.text()
    expect(page.locator("#flash")).to_contain_text(f"已保存 {YEAR + 1} 年度时间安排")
    saved = ok(centre.get(f"/api/v1/enrollment/cover-years/{YEAR + 1}"))
    assert saved["payment_deadline"] == "2021-01-22" and saved["split_window"] == ["2020-10-26", "2020-10-30"]
    expect(page.locator("#years tr", has_text="2021-01-22")).to_have_count(1)

    # the prices: copied from 2020 and said so; saved only now
    expect(page.locator("#price-year")).to_have_value(str(YEAR + 1))
    expect(page.locator("#price-note")).to_contain_text(f"由 {YEAR} 年度复制，尚未保存")
    expect(page.get_by_label("B+ 集中参保（全年） 特殊行业补贴")).to_have_value("22.50")
    assert centre.get(f"/api/v1/billing/price-tables/{YEAR + 1}").status_code == 404
    with page.expect_response(
        lambda r: r.request.method == "PUT" and r.url.endswith(f"/billing/price-tables/{YEAR + 1}")
    ) as answer:
        page.locator("#prices").get_by_role("button", name="保存价格表").click()
    assert answer.value.status == 200, answer.value.text()
    expect(page.locator("#flash")).to_have_text("价格表已保存")
    expect(page.locator("#price-note")).to_be_hidden()
    clerk.shot("next-year-saved")
    last, this = (ok(centre.get(f"/api/v1/billing/price-tables/{y}"))["entries"] for y in (YEAR, YEAR + 1))
    assert this == last


def test_the_district_finds_last_years_split_prefilled_and_saves_it(system, person):
    """After the first test: 2021 configured and priced as 2020. The district's 2020 split is
    proposed in 2021's split window, said so, and saved as it is."""
    from tests.browser.conftest import SPLIT

    district = system.login("district")
    system.set_clock("2019-10-26T10:00:00")
    system.wait_for(
        lambda: district.put(f"/api/v1/billing/splits/{YEAR}", json={"types": SPLIT}).status_code == 200,
        timeout=60,
        message="2020 split",
    )
    system.set_clock("2020-10-27T10:00:00")  # 2021's split window (2020-10-26 … 10-30)
    system.wait_for(
        lambda: district.get(f"/api/v1/billing/splits/{YEAR + 1}/proposal").status_code == 200,
        timeout=60,
        message="billing knows 2021",
    )
    clerk = person("district")
    page = clerk.open("/district/splits")
    page.get_by_label("保障年度").select_option(str(YEAR + 1))
    page.wait_for_load_state("networkidle")
    note = page.locator("#carried")
    expect(note).to_contain_text(f"按 {YEAR} 年度设置预填，尚未保存")
    form = page.locator("#split")
    expect(form.get_by_label("B 类 基层单位缴纳", exact=False)).to_have_value("10.00")
    expect(form.get_by_label("A+ 类 区局/各级工会缴纳", exact=False)).to_have_value("63.00")
    assert all(r["district_share_fen"] is None for r in ok(district.get(f"/api/v1/billing/splits/{YEAR + 1}")))
    with page.expect_response(
        lambda r: r.request.method == "PUT" and r.url.endswith(f"/billing/splits/{YEAR + 1}")
    ) as a:
        form.get_by_role("button", name="保存设置").click()
    assert a.value.status == 200, a.value.text()
    expect(page.locator("#flash")).to_have_text("已保存")
    expect(note).to_be_hidden()
    clerk.shot("next-year-split-saved")
    saved = {r["type"]: r for r in ok(district.get(f"/api/v1/billing/splits/{YEAR + 1}")) if r["union_id"] is None}
    for cover_type, shares in SPLIT.items():
        assert saved[cover_type]["district_share_fen"] == int(shares["district_share"]) * 100
        assert saved[cover_type]["grassroots_share_fen"] == int(shares["grassroots_share"]) * 100


def test_a_union_and_its_district_see_this_year_against_last(system, person):
    """After the others: two members of grassroots1 covered in 2020; one retires. In 2021's
    grassroots window the union's 参保办理 page says who is covered again and who is gone and why,
    with the workbook; the district's review page has the union's counts."""
    from tests.browser.conftest import carded_member

    union, district = system.login("grassroots1"), system.login("district")
    system.set_clock("2019-11-05T10:00:00")
    stays, retires = (
        carded_member(union, district, name, serial) for name, serial in (("续年留会", 951), ("续年退休", 952))
    )
    ids = [stays["id"], retires["id"]]
    system.wait_for(
        lambda: (
            set(ids)
            <= {
                m["member_id"]
                for m in union.get(f"/api/v1/enrollment/confirmation?cover_year={YEAR}&per_page=500")
                .json()
                .get("items", [])
            }
        ),
        timeout=60,
        message="eligible in 2020",
    )
    sub = ok(
        union.post("/api/v1/enrollment/submissions", json={"cover_year": YEAR, "type": "A+", "member_ids": ids}), 201
    )
    system.wait_for(
        lambda: district.get(f"/api/v1/enrollment/submissions/{sub['id']}").json().get("totals"),
        timeout=60,
        message="billing prices the submission",
    )
    ok(district.post(f"/api/v1/enrollment/submissions/{sub['id']}/stage", json={}))
    system.set_clock("2019-12-28T10:00:00")
    handler = {"name": "李会计", "phone": "13800138001", "email": "lkj@example.com"}
    batch = ok(district.post("/api/v1/enrollment/batches", json={"cover_year": YEAR, "handler": handler}), 201)
    system.wait_for(
        lambda: district.get(f"/api/v1/billing/batches/{batch['id']}").status_code == 200,
        timeout=60,
        message="billing prices the batch",
    )
    ok(union.post("/api/v1/members/members/transfer-out", json={"member_ids": [retires["id"]], "reason": "退休"}))
    system.set_clock("2020-11-05T10:00:00")
    system.wait_for(
        lambda: any(
            p["member_id"] == retires["id"]
            for p in union.get(f"/api/v1/enrollment/year-on-year/{YEAR + 1}").json().get("people", [])
        ),
        timeout=60,
        message="enrollment knows the move",
    )

    clerk = person("grassroots1")
    page = clerk.open("/union/enrolment")
    page.get_by_label("保障年度").select_option(str(YEAR + 1))
    section = page.locator("#year-on-year")
    expect(section).to_be_visible()
    expect(page.locator("#yoy-title")).to_have_text(f"{YEAR + 1} 年度与 {YEAR} 年度对比")
    expect(page.locator("#yoy-people tr", has_text="续年退休")).to_contain_text("已转出（退休）")
    expect(page.locator("#yoy-people")).not_to_contain_text("续年留会")  # covered again: counted only
    expect(page.locator("#yoy-tiles")).to_contain_text("可再参保")
    expect(page.locator("#yoy-reasons")).to_contain_text("已转出 1 人")
    href = page.locator("#yoy-workbook").get_attribute("href")
    assert href == f"/api/v1/enrollment/year-on-year/{YEAR + 1}/workbook"
    clerk.shot("year-on-year-union")

    reviewer = person("district")
    page = reviewer.open("/district/review")
    page.get_by_label("保障年度").select_option(str(YEAR + 1))
    table = page.locator("#yoy-unions")
    expect(page.locator("#year-on-year")).to_be_visible()
    expect(table).to_contain_text("已转出 1")
    expect(page.locator("#yoy-pager")).to_be_hidden()  # one page of unions: no pager
    years = ok(district.get("/api/v1/billing/years"))["years"]
    shown = next(y for y in years if y["cover_year"] == YEAR)
    side = page.locator("#years-side")
    expect(side.locator("tr", has_text=f"{YEAR} 年度").first).to_contain_text(f"{shown['premium_fen'] / 100:.2f}")
    expect(side.locator("svg")).to_have_attribute(
        "aria-label", re.compile(f"{YEAR} 年度参保人数：{shown['headcount']} 人")
    )
    reviewer.shot("year-on-year-district")
