"""My details in Chromium (issue 29 item 5, decision 0047): a member at a phone (390×844) corrects
their address and mobile on /me, confirms the new mobile with the code texted to it (read from
data/sms), and reads 待单位确认; the union's clerk at 1280×800 sees the pending change on 会员管理
(a count, old → new with the mobile masked) and accepts it; the member then reads 已更新 and the
new mobile, masked, on their card — and is texted at the new mobile."""

from __future__ import annotations

from playwright.sync_api import expect

from common.sms import read_messages
from tests.browser.conftest import MemberPerson, Person, confirm
from tests.season import ok, resident_id

SERIAL = 946  # a member of this test's own
NEW_ADDRESS = "上海市徐汇区漕溪北路 88 号 1203 室"


def test_a_member_corrects_address_and_mobile_and_the_union_accepts(browser, system):
    g1, district = system.login("grassroots1"), system.login("district")
    number, mobile, new_mobile = resident_id(SERIAL), f"139{SERIAL:08d}", f"137{SERIAL:08d}"
    member = ok(
        g1.post(
            "/api/v1/members/members",
            json={
                "name": "更正人甲",
                "id_number": number,
                "address": "上海市黄浦区",
                "mobile": mobile,
                "education": "大学本科",
                "household_type": "非农业",
            },
        ),
        201,
    )
    ok(district.post("/api/v1/members/members/approvals", json={"member_ids": [member["id"]]}))
    me = MemberPerson(browser, system, number, mobile)
    clerk = None
    try:
        page = me.page
        form = page.locator("#details-form")
        expect(form.get_by_label("联系地址")).to_have_value("上海市黄浦区")
        form.get_by_label("联系地址").fill(NEW_ADDRESS)
        form.get_by_label("新手机号码").fill(new_mobile)
        before = system.sms_count(new_mobile)
        page.get_by_role("button", name="获取验证码").click()
        expect(page.locator("#flash")).to_contain_text("验证码已发送至新手机号码")
        code = system.sms_code(new_mobile, before)
        form.get_by_label("短信验证码").fill(code)
        form.get_by_role("button", name="提交变更").click()
        expect(page.locator("#flash")).to_contain_text("已提交信息变更，待所在工会确认")
        change = page.locator("#detail-change")
        expect(change.locator(".detail-state")).to_have_text("待单位确认")
        expect(change).to_contain_text(f"137****{SERIAL:04d}")
        expect(change).to_contain_text(NEW_ADDRESS)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        me.shot("member-details-pending-390")
        # the roster is unchanged until the union accepts
        assert ok(g1.get(f"/api/v1/members/members/{member['id']}"))["mobile"] == mobile

        clerk = Person(browser, system.base, "grassroots1", viewport=(1280, 800))
        union = clerk.open("/union/members")
        expect(union.locator("#detail-changes-note")).to_contain_text("待确认变更")
        row = union.locator("#detail-changes tr", has_text="更正人甲")
        expect(row).to_contain_text(f"139****{SERIAL:04d} → 137****{SERIAL:04d}")
        expect(row).to_contain_text(f"上海市黄浦区 → {NEW_ADDRESS}")
        assert new_mobile not in row.inner_text()  # masked until the clerk asks (audited)
        clerk.shot("union-detail-changes-1280")
        row.get_by_role("button", name="确认变更").click()
        confirm(union, "确认变更", "更正人甲")
        expect(union.locator("#flash")).to_contain_text("已更新 更正人甲 的联系方式")
        expect(union.locator("#detail-changes tr", has_text="更正人甲")).to_have_count(0)
        # the member list on the same page shows the new mobile without a reload
        expect(union.locator("#members tr", has_text="更正人甲")).to_contain_text(f"137****{SERIAL:04d}")
        detail = ok(g1.get(f"/api/v1/members/members/{member['id']}"))
        assert (detail["mobile"], detail["address"]) == (new_mobile, NEW_ADDRESS)

        page.reload()
        expect(page.locator("#card-facts")).to_contain_text(f"137****{SERIAL:04d}")
        expect(page.locator("#detail-change .detail-state")).to_have_text("已更新")
        me.shot("member-details-accepted-390")
        system.wait_for(
            lambda: any(
                to == new_mobile and "已由所在工会确认并更新" in text for to, text in read_messages(system.tmp / "sms")
            ),
            timeout=60,
            message="the member's SMS at the new mobile",
        )
    finally:
        me.context.close()
        if clerk is not None:
            clerk.close()
