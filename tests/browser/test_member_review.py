"""会员审核 by clicking: the district sends a new member back with a reason, the union sees why,
corrects the member and saves (which resubmits it), and the district approves it."""
from playwright.sync_api import expect

from tests.e2e.test_enrollment_season import ok, resident_id


def test_district_rejects_union_corrects_and_district_approves(system, person):
    g1 = system.login("grassroots1")
    member = ok(g1.post("/api/v1/members/members", json={
        "name": "驳回测试", "id_number": resident_id(880), "address": "上海市", "mobile": "13900000880",
        "education": "高中", "household_type": "非农业"}), 201)

    district = person("district")
    page = district.open("/district/approvals")
    row = page.locator("#pending tr", has_text="驳回测试")
    row.get_by_role("checkbox").check()
    page.get_by_label("驳回原因").fill("联系地址不完整，请补充到门牌号")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="驳回选中会员").click()
    expect(page.locator("#flash")).to_have_text("已驳回 1 人")
    expect(page.locator("#pending")).not_to_contain_text("驳回测试")
    district.shot("member-review-rejected")

    grassroots = person("grassroots1")
    page = grassroots.open("/union/members")
    row = page.locator("#members tr", has_text="驳回测试")
    expect(row).to_contain_text("审核未通过：联系地址不完整")
    row.get_by_role("button", name="详情").click()
    expect(page.locator("#detail")).to_contain_text("修改后点“保存”即重新提交审核")
    page.locator("#edit").get_by_label("联系地址").fill("上海市黄浦区南京东路100号")
    page.locator("#edit").get_by_role("button", name="保存").click()
    expect(page.locator("#flash")).to_have_text("已保存并重新提交区局审核")
    expect(page.locator("#members tr", has_text="驳回测试")).to_contain_text("待审核")
    grassroots.shot("member-review-resubmitted")

    page = district.open("/district/approvals")
    page.locator("#pending tr", has_text="驳回测试").get_by_role("checkbox").check()
    page.get_by_role("button", name="审核通过选中会员").click()
    expect(page.locator("#flash")).to_have_text("已审核通过 1 人")
    approved = ok(g1.get(f"/api/v1/members/members/{member['id']}"))
    assert approved["status"] == "normal" and approved["member_no"]
    assert approved["review_note"] == "联系地址不完整，请补充到门牌号"  # kept as the review history
