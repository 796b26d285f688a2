"""开启下一年度 in the enrollment service: the proposal is read, not saved; it is saved as the
centre changed it, through the ordinary cover-year PUT; the next year twice is refused."""

from tests.services.enrollment.conftest import YEAR


def test_the_centre_gets_next_years_dates_reviews_changes_and_saves_them(enrol):
    enrol.year()
    answer = enrol.centre.get(f"/cover-years/{YEAR}/next")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["cover_year"], body["from_year"]) == (YEAR + 1, YEAR)
    timeline = body["timeline"]
    assert timeline["split_window"] == ["2020-10-26", "2020-10-30"]
    assert timeline["grassroots_window"] == ["2020-11-02", "2020-12-25"]
    assert timeline["district_submit_window"] == ["2020-12-28", "2020-12-31"]
    assert (timeline["cover_start"], timeline["payment_deadline"]) == ("2021-01-01", "2021-01-20")
    assert timeline["claims_deadline"] == "2022-12-31" and timeline["instant_payment_days"] == 15
    split_start = next(d for d in body["dates"] if d["key"] == "split_window.0")
    assert split_start == {
        "key": "split_window.0",
        "label": "参保金额比例设置开始",
        "this_year": "2019-10-25",
        "proposed": "2020-10-26",
        "weekday": "周一",
        "moved": True,
        "why": "顺延一年为 2020-10-25（周日），顺延至周一",
    }
    assert all(c["ok"] for c in body["checks"])
    # nothing saved by asking
    assert enrol.centre.get(f"/cover-years/{YEAR + 1}").status_code == 404
    assert len(enrol.events("enrollment.cover_year.configured")) == 1

    saved = enrol.centre.put(f"/cover-years/{YEAR + 1}", json={**timeline, "payment_deadline": "2021-01-22"})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["payment_deadline"] == "2021-01-22"
    assert enrol.events("enrollment.cover_year.configured")[-1]["data"]["cover_year"] == YEAR + 1

    again = enrol.centre.get(f"/cover-years/{YEAR}/next")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "NEXT_YEAR_CONFIGURED"


def test_only_the_centre_asks_and_only_for_a_configured_year(enrol):
    enrol.year()
    assert enrol.district.get(f"/cover-years/{YEAR}/next").status_code == 403
    assert enrol.grassroots.get(f"/cover-years/{YEAR}/next").status_code == 403
    missing = enrol.centre.get(f"/cover-years/{YEAR - 5}/next")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "COVER_YEAR_NOT_FOUND"
