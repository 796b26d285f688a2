"""Issue 24, server side as a person sees it in Chromium: a sync's 预检 lists who falls in C and D
(paged, downloadable); 操作日志 says in words who did what to whom, never a path or a status code;
a rejected member's notification opens that member."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import carded_member
from tests.season import ok, resident_id, xlsx


def test_a_dry_run_lists_its_c_and_d_people(system, person, tmp_path):
    g1, g2, district = system.login("grassroots1"), system.login("grassroots2"), system.login("district")
    kept = carded_member(g1, district, "在册甲", 811)
    carded_member(g1, district, "名单外乙", 812)
    elsewhere = carded_member(g2, district, "他会丙", 813)
    roster = tmp_path / "roster.xlsx"
    roster.write_bytes(
        xlsx([["姓名", "证件号码"], [kept["name"], resident_id(811)], [elsewhere["name"], resident_id(813)]])
    )

    clerk = person("grassroots1")
    page = clerk.open("/uploads")
    page.get_by_label("要做的事").select_option(label="同步会员（预检，不做任何修改）")
    page.set_input_files("#file", str(roster))
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#outcome")).to_contain_text("预检完成（未做任何修改）", timeout=30_000)
    people = page.locator("#people")
    expect(people).to_be_visible()
    expect(page.locator("#rows")).to_be_empty()  # no empty error table (暂无数据) under a good result
    expect(page.locator("#people-title")).to_contain_text("C 在其他单位")
    expect(page.locator("#people-table")).to_contain_text("他会丙")
    expect(page.locator("#people-table")).to_contain_text("3101**********")  # masked in a list
    page.locator("#people-d").click()
    expect(page.locator("#people-table")).to_contain_text("名单外乙")
    expect(page.locator("#people-table")).not_to_contain_text("在册甲")
    clerk.shot("sync-dry-run-people")
    # the same people in its downloadable result
    job = g1.get("/api/v1/members/uploads", params={"kind": "sync"}).json()["items"][0]
    assert job["dry_run"] and job["result_path"] and job["people_path"]


def test_the_audit_trail_reads_in_words(system, person):
    g1, district = system.login("grassroots1"), system.login("district")
    member = carded_member(g1, district, "查号丁", 821)
    ok(district.post(f"/api/v1/members/members/{member['id']}/id-number-reveals"))
    centre = person("centre")
    page = centre.open("/centre/audit")
    audit = page.locator("#audit")
    number = resident_id(821)
    expect(audit).to_contain_text(f"查看完整证件号码：查号丁（{number[:4]}{'*' * 10}{number[-4:]}）")
    expect(audit).to_contain_text("审核通过会员：查号丁")
    expect(audit).to_contain_text("成功")
    text = audit.inner_text()
    assert "/api/v1" not in text and not re.search(r"\b(POST|PUT|PATCH|DELETE)\b", text)
    assert not re.search(r"\b(200|201|202|302|401|403|404|409|422)\b", text), text
    assert number not in text
    centre.shot("centre-audit-in-words")
    phone = person("centre", viewport=(390, 844))
    phone.open("/centre/audit")
    expect(phone.page.locator("#audit")).to_contain_text("查看完整证件号码：查号丁")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("centre-audit-in-words-390")


def test_a_rejected_members_notification_opens_that_member(system, person):
    g1, district = system.login("grassroots1"), system.login("district")
    member = ok(
        g1.post(
            "/api/v1/members/members",
            json={
                "name": "驳回戊",
                "id_number": resident_id(831),
                "address": "上海市黄浦区",
                "mobile": "13900000831",
                "education": "大学本科",
                "household_type": "非农业",
            },
        ),
        201,
    )
    ok(district.post("/api/v1/members/members/rejections", json={"member_ids": [member["id"]], "reason": "地址不详"}))
    link = f"/union/members?member={member['id']}"
    system.wait_for(
        lambda: any(n["link"] == link for n in g1.get("/api/v1/notifications/notifications").json()["items"]),
        timeout=60,
        message="the rejection is told",
    )
    clerk = person("grassroots1")
    page = clerk.open(link)
    expect(page.locator("#detail-card")).to_be_visible()
    expect(page.locator("#detail")).to_contain_text("驳回戊")
    expect(page.locator("#detail")).to_contain_text("地址不详")
