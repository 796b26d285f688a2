"""参保金额比例设置, typed by a district clerk: the eight amounts of the default split go through
the browser's own checks (the `pattern` attributes as the template renders them) and are saved.
Once, every value was refused in the browser because the pattern was built in a JavaScript string
and lost its backslashes; no test had typed into this form."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import SPLIT
from tests.season import TIMELINE, YEAR, ok, price_entries


def test_the_district_saves_its_default_split_by_typing(system, person):
    system.set_clock("2019-10-01T09:00:00")
    centre, district = system.login("centre"), system.login("district")
    ok(centre.put(f"/api/v1/enrollment/cover-years/{YEAR}", json=TIMELINE))
    system.wait_for(lambda: centre.put(f"/api/v1/billing/price-tables/{YEAR}", json={"entries": price_entries()})
                    .status_code == 200, timeout=60, message="price table")
    system.set_clock("2019-10-26T10:00:00")  # inside the split window
    system.wait_for(lambda: district.get(f"/api/v1/billing/splits/{YEAR}").status_code == 200, timeout=60,
                    message="billing knows the year")

    clerk = person("district")
    page = clerk.open("/district/splits")
    page.get_by_label("保障年度").select_option(str(YEAR))
    page.wait_for_load_state("networkidle")
    form = page.locator("#split")
    for cover_type, shares in SPLIT.items():
        for field, label in (("district_share", "区局/各级工会缴纳"), ("grassroots_share", "基层单位缴纳")):
            box = form.get_by_label(f"{cover_type} 类 {label}", exact=False)
            box.fill("")
            box.press_sequentially(f"{shares[field]}.00" if field == "district_share" else shares[field])
    with page.expect_response(lambda r: r.request.method == "PUT" and f"/billing/splits/{YEAR}" in r.url) as answer:
        form.get_by_role("button", name="保存设置").click()
    assert answer.value.status == 200, answer.value.text()
    expect(page.locator("#flash")).to_have_text("已保存")
    expect(form.locator(".field-error")).to_have_count(0)
    clerk.shot("split-saved")

    saved = {r["type"]: r for r in ok(district.get(f"/api/v1/billing/splits/{YEAR}")) if r["union_id"] is None}
    for cover_type, shares in SPLIT.items():
        assert saved[cover_type]["district_share_fen"] == int(shares["district_share"]) * 100
        assert saved[cover_type]["grassroots_share_fen"] == int(shares["grassroots_share"]) * 100
    # what was saved is what the form shows when opened again
    page.reload()
    page.get_by_label("保障年度").select_option(str(YEAR))
    page.wait_for_load_state("networkidle")
    expect(form.get_by_label("B 类 基层单位缴纳", exact=False)).to_have_value("10.00")
