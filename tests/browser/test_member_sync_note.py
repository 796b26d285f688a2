"""名单同步中…: the enrolment page lists members from enrollment's copy of the member list,
which takes members' changes from the bus. While changes are still on their way (its worker is
stopped here, with a newly carded member's events waiting in its queue) the page says so; once
they are applied the note goes and the member is listed (issue 16 item 5)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import carded_member, open_season
from tests.season import YEAR

NOTE = "会员名单同步中，部分会员可能暂未显示，请稍候刷新。"


def behind(union) -> bool | None:
    return union.get(f"/api/v1/enrollment/confirmation?cover_year={YEAR}").json()["members_behind"]


def test_the_enrolment_page_says_when_the_member_list_is_still_syncing(system, person):
    open_season(system)
    union, district = system.login("grassroots1"), system.login("district")
    system.wait_for(lambda: behind(union) is False, timeout=30, message="the member list is in step")
    grassroots = person("grassroots1")
    page = grassroots.open("/union/enrolment")
    page.get_by_label("保障年度").select_option(str(YEAR))
    expect(page.locator("#totals")).to_contain_text("参保人数0")
    expect(page.locator("#syncing")).to_be_hidden()

    system.stack.stop("enrollment-worker")
    try:
        carded_member(union, district, "同步会员", 901)
        system.wait_for(lambda: behind(union) is True, timeout=30, message="the lag is seen")
        page.reload()
        page.get_by_label("保障年度").select_option(str(YEAR))
        expect(page.locator("#syncing")).to_be_visible()
        expect(page.locator("#syncing")).to_have_text(NOTE)
        expect(page.locator("#totals")).to_contain_text("参保人数0")  # the new member is not there yet
        grassroots.shot("enrolment-member-list-syncing")
    finally:
        system.stack.start_worker("enrollment")

    system.wait_for(lambda: behind(union) is False, timeout=60, message="the member list caught up")
    page.reload()
    page.get_by_label("保障年度").select_option(str(YEAR))
    expect(page.locator("#totals")).to_contain_text("参保人数1")
    expect(page.locator("#syncing")).to_be_hidden()
