"""Money as it arrives, on the pages (issue 26 items 2 and 7), in Chromium: the centre imports a
part payment and reads 部分到账, allocates a transfer no rule could place by hand, then the rest
and more and reads 多缴, writes the batch off
choosing what the over-payment becomes, and opens 账龄与催缴 to remind the district that has not
paid — on a desk and on a 390 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import carded_member, confirm, open_season
from tests.browser.test_season import statement_xlsx
from tests.e2e.test_enrollment_season import YEAR, ok

E, B = "/api/v1/enrollment", "/api/v1/billing"
HANDLER = {"name": "李会计", "phone": "13800138001", "email": "lkj@example.com"}


@pytest.fixture(scope="module")
def batches(system, tmp_path_factory):
    """A priced batch of the district: A+ 3 × 63 = 189.00 and A 2 × 13 = 26.00, due 215.00."""
    open_season(system)
    district = system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    made = {"g1": [carded_member(g1, district, f"缴费会员{700 + i}", 700 + i) for i in range(3)]}
    made["g2"] = [carded_member(g2, district, f"缴费会员{710 + i}", 710 + i) for i in range(2)]
    for session, ids in ((g1, made["g1"]), (g2, made["g2"])):
        system.wait_for(
            lambda s=session, ids=ids: (
                {m["id"] for m in ids}
                <= {
                    m["member_id"]
                    for m in s.get(f"{E}/confirmation?cover_year={YEAR}&per_page=500").json().get("items", [])
                }
            ),
            timeout=60,
            message="eligible members",
        )
    ids = lambda key: [m["id"] for m in made[key]]
    s1 = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A+", "member_ids": ids("g1")}), 201)
    s2 = ok(g2.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A", "member_ids": ids("g2")}), 201)
    system.wait_for(
        lambda: district.get(f"{B}/submissions?cover_year={YEAR}").json()["total"] >= 2, timeout=60, message="priced"
    )
    for submission in (s1, s2):
        ok(district.post(f"{E}/submissions/{submission['id']}/stage", json={}))
    system.set_clock("2019-12-28T10:00:00")
    batch = ok(district.post(f"{E}/batches", json={"cover_year": YEAR, "handler": HANDLER}), 201)
    priced = system.wait_for(
        lambda: district.get(f"{B}/batches/{batch['id']}").status_code == 200,
        timeout=60,
        message="billing prices the batch",
    )
    assert priced
    priced = ok(district.get(f"{B}/batches/{batch['id']}"))
    assert priced["due_fen"] == 21500
    system.set_clock("2020-01-15T10:00:00")
    return {"folder": tmp_path_factory.mktemp("money"), "batch_no": priced["batch_no"]}


def test_a_part_payment_and_an_over_payment_on_the_centres_pages(system, batches, person):
    folder, no = batches["folder"], batches["batch_no"]
    centre = person("centre")
    page = centre.open("/centre/reconciliation")
    row = page.locator("#list tr", has_text=no)
    expect(row).to_be_visible(timeout=30_000)

    def import_statement(name: str, rows) -> None:
        (folder / name).write_bytes(statement_xlsx(rows))
        page.get_by_label("银行流水文件").set_input_files(str(folder / name))
        page.get_by_role("button", name="导入").click()
        expect(page.locator("#flash")).to_have_text("银行流水已导入", timeout=15_000)

    import_statement("part.xlsx", [["2020-01-12", "黄浦区总工会", "100.00", f"{no} 第一笔"]])
    expect(row).to_contain_text("部分到账")
    expect(row).to_contain_text("115.00")  # 未缴
    centre.shot("money-1-part-paid")

    # 账龄: past the pay-by (2020-01-20) and still short — the centre reminds the district
    system.set_clock("2020-01-25T10:00:00")
    ageing = person("centre")
    aged = ageing.open("/ageing")
    late = aged.locator("#late tr", has_text=no)
    expect(late).to_contain_text("逾期 1–7 天", timeout=30_000)
    expect(late).to_contain_text("115.00")
    aged.get_by_role("button", name="立即催缴").click()
    confirm(aged, "催缴")
    expect(aged.locator("#flash")).to_have_text("已催缴 1 个批次", timeout=15_000)
    expect(late).to_contain_text("首次催缴")
    ageing.shot("money-2-ageing")
    aged.set_viewport_size({"width": 390, "height": 844})
    assert aged.evaluate("document.documentElement.scrollWidth") <= 390
    ageing.shot("money-2-ageing-phone")
    district = person("district")
    mine = district.open("/ageing")
    expect(mine.locator("#late")).to_contain_text(no, timeout=30_000)
    expect(mine.locator("#late")).to_contain_text("首次催缴")

    # a transfer no rule can place (another payer, no batch number): allocated by hand
    import_statement("other.xlsx", [["2020-01-23", "某某公司", "25.00", "代缴参保款"]])
    waiting = page.locator("#waiting tr", has_text="某某公司")
    expect(waiting).to_contain_text("付款单位不是已登记的区局")
    waiting.get_by_role("button", name=re.compile("^分配流水")).click()
    allocate = page.locator("#allocate")
    choice = allocate.locator("select[name=batch_1] option", has_text=no).get_attribute("value")
    allocate.locator("select[name=batch_1]").select_option(value=choice)
    expect(allocate.locator("input[name=amount_1]")).to_have_value("25.00")
    allocate.locator("input[name=amount_1]").fill("20.00")  # less than the line: refused, said once
    allocate.get_by_role("button", name="分配", exact=True).click()
    sum_refused = "各批次分配金额之和（20.00 元）须等于流水金额（25.00 元）"
    expect(page.locator("#flash")).to_contain_text(sum_refused)
    assert page.locator("#flash").inner_text().count(sum_refused) == 1
    allocate.locator("input[name=amount_1]").fill("25.00")
    allocate.get_by_role("button", name="分配", exact=True).click()
    expect(page.locator("#flash")).to_have_text("流水已分配", timeout=15_000)
    expect(page.locator("#waiting")).to_contain_text("没有待分配的流水")
    expect(row).to_contain_text("90.00")  # 未缴 after 100.00 + 25.00
    centre.shot("money-3-allocated-by-hand")

    # the rest, and 10.00 more: 多缴, whose fate the centre chooses at 核销
    import_statement("rest.xlsx", [["2020-01-24", "黄浦区总工会", "100.00", f"{no} 补缴"]])
    expect(row).to_contain_text("多缴 10.00 元")
    expect(row).to_contain_text("已到账待核销")
    row.get_by_role("button", name="处理").click()
    expect(page.locator("#arrivals tbody tr")).to_have_count(3)
    writeoff = page.locator("#writeoff")
    expect(writeoff.get_by_label("到账金额（元）")).to_have_value("225.00")
    expect(page.locator("#over-note")).to_contain_text("多缴 10.00 元")
    expect(writeoff.get_by_label("银行流水号")).to_have_value("")  # no serial in the template: typed
    writeoff.get_by_label("银行流水号").press_sequentially("BANK20200124001")
    writeoff.get_by_role("button", name="核销").click()  # no choice: refused beside the field
    expect(writeoff.locator(".field-error")).to_contain_text("请选择")
    writeoff.get_by_label("多缴处理").select_option(label="转为下一年度抵扣款")
    writeoff.get_by_role("button", name="核销").click()
    confirm(page, "核销", no, "225.00", "转为下一年度抵扣款")
    expect(page.locator("#flash")).to_have_text(f"批次 {no} 已核销", timeout=15_000)
    expect(row).to_contain_text("多缴 10.00 元，已转为下一年度抵扣款")
    # the open batch's header says what the list says, without reloading the page
    expect(page.locator("#act-status")).to_contain_text("缴费状态：已核销")
    centre.shot("money-4-over-paid-written-off")
    recorded = ok(system.login("centre").get(f"{B}/credits"))
    assert [(c["amount_fen"], c["designated_year"], c["memo"]) for c in recorded] == [
        (1000, YEAR + 1, f"批次 {no} 多缴")
    ]
    aged = ageing.open("/ageing")
    expect(aged.locator("#late")).to_contain_text("没有未缴清的批次", timeout=30_000)
