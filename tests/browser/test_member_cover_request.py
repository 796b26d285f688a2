"""个人参保申请 at phone width (390×844) in Chromium (decision 0045): a card holder without cover
for this year signs in by code, asks on /me and reads 已申请, and is texted (by members, from
enrollment's event); the union sees the request by name on its 参保办理 page under 即时参保."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from common.sms import read_messages
from tests.browser.conftest import MemberPerson
from tests.season import ok, resident_id

SERIAL = 945  # a member of this test's own


def test_a_card_holder_without_cover_asks_on_me_and_reads_asked(browser, system, person):
    g1, district = system.login("grassroots1"), system.login("district")
    this_year = date.today().year
    number, mobile = resident_id(SERIAL), f"139{SERIAL:08d}"
    member = ok(
        g1.post(
            "/api/v1/members/members",
            json={
                "name": "申请人甲",
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
    # a card from before this year's cut-off (the previous 31 December): 有卡无保
    ok(
        g1.put(
            f"/api/v1/members/members/{member['id']}/card",
            json={"card_number": f"62220200{SERIAL:08d}", "issued_on": f"{this_year - 1}-06-01"},
        )
    )
    confirm_list = f"/api/v1/enrollment/confirmation?cover_year={this_year}&mode=instant&kind=no_cover&per_page=200"
    system.wait_for(
        lambda: any(m["member_id"] == member["id"] for m in g1.get(confirm_list).json().get("items", [])),
        timeout=60,
        interval=1,
        message="enrollment knows the card holder",
    )
    me = MemberPerson(browser, system, number, mobile)
    try:
        page = me.page
        requests = page.locator("#cover-requests")
        expect(requests).to_contain_text("暂无参保申请")
        page.get_by_role("button", name="申请参保").click()
        expect(page.locator("#flash")).to_contain_text(f"已提交{this_year}年度参保申请")
        expect(requests.locator(".request-state")).to_have_text("已申请")
        expect(page.get_by_role("button", name="申请参保")).to_be_hidden()
        # members texts the member (enrollment.cover_request.changed → data/sms/)
        system.wait_for(
            lambda: any(
                to == mobile and "个人参保申请已提交所在工会" in text for to, text in read_messages(system.tmp / "sms")
            ),
            timeout=60,
            message="the member's SMS",
        )
        listed = ok(g1.get(f"/api/v1/enrollment/cover-requests?cover_year={this_year}"))["items"]
        assert [(r["name"], r["state_text"]) for r in listed if r["member_id"] == member["id"]] == [
            ("申请人甲", "已申请")
        ]
        # the union reads it by name beside its 即时参保 list
        clerk = person("grassroots1")
        union = clerk.open("/union/enrolment")
        union.select_option("#year", str(this_year))
        union.select_option("#mode", "instant")
        asked = union.locator("#cover-requests tr", has_text="申请人甲")
        expect(asked).to_contain_text("已申请")
        expect(asked.get_by_role("button", name="不受理")).to_be_visible()
        # and in the 有卡无保 list itself the member is marked as having asked
        expect(union.locator("#list tr", has_text="申请人甲")).to_contain_text("已申请")
        expect(union.locator("#list th", has_text="本人申请")).to_be_visible()
        # the year before the chosen one is not configured: no comparison shown (an answer for
        # the year first shown, arriving late, once drew the next year's comparison here)
        expect(union.locator("#year-on-year")).to_be_hidden()
        clerk.shot("union-cover-requests-1280")
        # a submission of the requests alone, from the requests' card
        union.get_by_role("button", name="为 1 位申请人提交即时参保").click()
        dialog = union.get_by_role("dialog")
        expect(dialog).to_contain_text("申请人甲")
        expect(dialog).to_contain_text("1 人")
        dialog.get_by_role("button", name="提交").click()
        expect(union.locator("#flash")).to_contain_text("已为 1 位申请人提交即时参保")
        expect(asked).to_contain_text("单位已提交")
        expect(union.get_by_role("button", name="为 1 位申请人提交即时参保")).to_be_hidden()
        mine = ok(g1.get(f"/api/v1/enrollment/submissions?cover_year={this_year}&mode=instant"))["items"]
        assert [(x["kind"], x["headcount"]) for x in mine] == [("no_cover", 1)]
    finally:
        me.context.close()
