"""会员审核 by clicking: the district sees each pending member's union (two members of one name told apart by
it, or filtered to one union), reveals a full ID number (audited: who, whose, when), sends a
member back with a reason typed in an in-page dialog; the union sees why, corrects the ID number
(checked again) and saves, which resubmits it; the district approves it with 全选 above the list."""
from playwright.sync_api import expect

from tests.e2e.test_enrollment_season import ok, resident_id


def test_district_rejects_union_corrects_the_id_and_district_approves(system, person):
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    form = {"address": "上海市", "education": "高中", "household_type": "非农业"}
    member = ok(g1.post("/api/v1/members/members", json={
        "name": "王审核", "id_number": resident_id(880), "mobile": "13900000880", **form}), 201)
    ok(g2.post("/api/v1/members/members", json={
        "name": "王审核", "id_number": resident_id(881), "mobile": "13900000881", **form}), 201)

    district = person("district")
    page = district.open("/district/approvals")
    pending = page.locator("#pending")
    both = pending.locator("tbody tr", has_text="王审核")
    expect(both).to_have_count(2)
    expect(both.filter(has_text="上海示范科技有限公司工会")).to_have_count(1)  # told apart by the union
    expect(both.filter(has_text="上海示范物流有限公司工会")).to_have_count(1)
    # 全选 sits above the table
    box = page.get_by_label("全选").bounding_box()
    assert box["y"] < pending.locator("table").bounding_box()["y"]
    page.get_by_label("基层工会").select_option(label="上海示范科技有限公司工会")
    page.get_by_role("button", name="查询").click()
    expect(pending.locator("tbody tr", has_text="上海示范物流有限公司工会")).to_have_count(0)
    expect(pending.locator("tbody tr", has_text="王审核")).to_have_count(1)
    row = pending.locator("tbody tr", has_text="王审核")
    expect(row).not_to_contain_text(resident_id(880))  # masked in the list
    row.get_by_role("button", name="查看完整号码").click()
    expect(row).to_contain_text(resident_id(880))
    district.shot("member-review-revealed")
    audit = ok(system.login("centre").get("/api/v1/audit?username=district"))
    reveal = next(r for r in audit["items"] if r["action"].endswith("/id-number-reveals"))
    assert reveal["detail"] == f"查看完整证件号码：会员 {member['id']}" and reveal["at"] and reveal["outcome"] == "ok"

    row.get_by_role("checkbox").check()
    expect(page.locator("#picked")).to_have_text("已选 1 人")
    page.get_by_role("button", name="驳回选中会员").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("王审核（上海示范科技有限公司工会）")  # who is sent back, named
    dialog.get_by_label("驳回原因").fill("证件号码与本人不符，请核对")
    district.shot("member-review-reject-dialog")
    dialog.get_by_role("button", name="驳回").click()
    expect(page.locator("#flash")).to_have_text("已驳回 1 人")
    expect(pending).not_to_contain_text("王审核")
    district.shot("member-review-rejected")

    grassroots = person("grassroots1")
    page = grassroots.open(f"/union/members?member={member['id']}")  # a notification's 查看: that member
    expect(page.locator("#detail-card")).to_be_visible()
    expect(page.locator("#detail")).to_contain_text("王审核")
    page = grassroots.open("/union/members")
    row = page.locator("#members tr", has_text="王审核")
    expect(row).to_contain_text("审核未通过：证件号码与本人不符")
    row.get_by_role("button", name="详情").click()
    expect(page.locator("#detail")).to_contain_text("修改后点“保存”即重新提交审核")
    edit = page.locator("#edit")
    good = resident_id(882)
    edit.get_by_label("证件号码（审核未通过时可更正）").fill(good[:-1] + ("1" if good[-1] != "1" else "2"))
    edit.get_by_role("button", name="保存").click()
    error = edit.locator(".field-error")
    expect(error).to_contain_text("校验位")  # checked again, beside the field
    expect(error).to_be_in_viewport()
    expect(edit.get_by_label("证件号码（审核未通过时可更正）")).to_be_focused()
    grassroots.shot("member-review-id-error")
    edit.get_by_label("证件号码（审核未通过时可更正）").fill(good)
    edit.get_by_role("button", name="保存").click()
    expect(page.locator("#flash")).to_have_text("已保存并重新提交区局审核")
    expect(page.locator("#members tr", has_text="王审核")).to_contain_text("待审核")
    # the detail no longer shows the rejection as the current 审核说明
    expect(page.locator("#detail")).not_to_contain_text("审核说明")
    expect(page.locator("#detail")).to_contain_text("上次驳回原因")
    grassroots.shot("member-review-resubmitted")

    page = district.open("/district/approvals")
    page.get_by_label("基层工会").select_option(label="上海示范科技有限公司工会")
    page.get_by_label("姓名").fill("王审核")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#pending tbody tr")).to_have_count(1)
    page.get_by_label("全选").check()
    page.get_by_role("button", name="审核通过选中会员").click()
    expect(page.locator("#flash")).to_have_text("已审核通过 1 人")
    approved = ok(g1.get(f"/api/v1/members/members/{member['id']}"))
    assert approved["status"] == "normal" and approved["member_no"] and approved["id_number"] == resident_id(882)
    assert approved["review_note"] == "证件号码与本人不符，请核对"  # kept as the review history
