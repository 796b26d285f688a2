"""An older answer arriving last never draws over the newer one (app.js's U.newest): a person
changes an option (or searches) while the list for the page's first options is still on its way;
that first answer, held back until the newer one has drawn, then arrives, and the page still
shows what the person asked last."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.browser.conftest import carded_member
from tests.season import ok


class Held:
    """The first request a predicate names is held (not sent on) until `release`; the others go."""

    def __init__(self, page, wanted):
        self.page, self.route = page, None
        page.route(lambda url: wanted(urlparse(url)), self._handle)

    def _handle(self, route):
        if self.route is None:
            self.route = route
        else:
            route.continue_()

    def release(self) -> dict:
        """Send the held request on; its answer (as the page receives it) once it has arrived."""
        assert self.route is not None, "the page's first request was never made"
        url = self.route.request.url
        with self.page.expect_response(lambda r: r.url == url) as answer:
            self.route.continue_()
        body = answer.value.json()
        # whatever the page does with the late answer (further requests, drawing) is done by now
        self.page.wait_for_load_state("networkidle")
        return body


def member(g1, district, name: str, serial: int, card_year: int) -> dict:
    """A member of grassroots1, approved, with a card issued in `card_year` (有卡无保 this year)."""
    return carded_member(g1, district, name, serial, issued_on=f"{card_year}-06-01")


def test_the_enrolment_list_is_the_mode_chosen_last(system, person):
    g1, district = system.login("grassroots1"), system.login("district")
    this_year = date.today().year
    late = member(g1, district, "迟答甲", 961, this_year - 1)
    instant = f"/api/v1/enrollment/confirmation?cover_year={this_year}&mode=instant&kind=no_cover&page=1&per_page=50"
    system.wait_for(
        lambda: any(m["member_id"] == late["id"] for m in g1.get(instant).json().get("items", [])),
        timeout=60,
        interval=1,
        message="enrollment knows the card holder",
    )
    wanted = ok(g1.get(instant))

    clerk = person("grassroots1")
    page = clerk.page
    # the list for the page's first options (集中参保) is slow to come
    held = Held(page, lambda u: u.path == "/api/v1/enrollment/confirmation" and "mode=centralised" in u.query)
    clerk.open("/union/enrolment")
    expect(page.locator("#year option")).not_to_have_count(0)
    page.select_option("#year", str(this_year))
    page.select_option("#mode", "instant")
    rows = page.locator("#list tbody tr")
    expect(rows.filter(has_text="迟答甲")).to_have_count(1)
    expect(page.locator("#kind-field")).to_be_visible()
    first = held.release()
    # the late answer is about another list: drawn, it would replace this one
    shown = [m["name"] for m in wanted["items"]]
    assert [m["name"] for m in first["items"]] != shown, "the two choices must list different people"
    expect(rows.locator("td:first-child")).to_have_text(shown)
    expect(page.locator("#totals")).to_contain_text(str(wanted["cover_year"]))
    expect(page.locator("#kind-field")).to_be_visible()
    expect(page.locator("#mode")).to_have_value("instant")
    clerk.shot("stale-answer-enrolment")


def test_the_members_list_is_the_search_sent_last(system, person):
    g1, district = system.login("grassroots1"), system.login("district")
    member(g1, district, "迟答乙", 962, date.today().year - 1)
    clerk = person("grassroots1")
    page = clerk.page

    def members_list(u) -> bool:
        return u.path == "/api/v1/members/members" and "name" not in parse_qs(u.query)

    # the whole list, the page's first request, is slow to come; the person searches meanwhile
    held = Held(page, members_list)
    clerk.open("/union/members")
    page.locator("#search").get_by_label("姓名").fill("迟答乙")
    page.locator("#search").get_by_role("button", name="查询").click()
    rows = page.locator("#members tbody tr")
    expect(rows).to_have_count(1)
    expect(page.locator("#pageno")).to_contain_text("共 1 人")
    first = held.release()
    assert first["total"] != 1, "the whole list must differ from the search's one member"
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("迟答乙")
    expect(page.locator("#pageno")).to_contain_text("共 1 人")
    clerk.shot("stale-answer-members")
