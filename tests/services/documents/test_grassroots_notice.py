"""The grassroots notice (基层工会参保告知书, SPEC §5) from enrollment's and billing's events, on
PostgreSQL: its content, its versions, idempotency, and what a bad event does."""

import hashlib

import pytest

from common.bus import PermanentFailure
from tests.services.documents import contract as c
from tests.services.documents.conftest import pdf_fonts, pdf_text

NOTICE = f"/grassroots-notices/{c.UNION_A}/2020/file"


def first_submission(documents, priced_first=False):
    sub = c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1)
    price = c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3)
    documents.feed(c.cover_year(), *((price, sub) if priced_first else (sub, price)))


@pytest.mark.parametrize("priced_first", [False, True])
def test_notice_prints_the_guides_wording_with_union_numbers_dates_and_signatures(documents, priced_first):
    first_submission(documents, priced_first)
    response = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1).get(NOTICE)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "告知书" in text
    assert "上海示范科技有限公司工会：" in text
    # the guide's sentence, with this union's type, headcount, deadline and cover dates
    assert (
        "你会集中参保2020年度会员专享基本保障计划，截至今日参加B类会员共计3人，请于2019年12月27日之前根据你会所在区、"
        "局（产业）工会的安排将你会需要承担的参保资金划入所属区、局（产业）工会账户，保障日期为2020年1月1日起至"
        "2020年12月31日。逾期未划款则所有参保均无效，需按照即时参保流程另行办理参保手续"
    ) in text
    # its amounts in the terms of docs/terms.md: 3 × B 90 = 270 = city 120 + district 90 + grassroots 60
    for label, amount in (
        ("本次参保资金总额", "270.00元"),
        ("其中：市总统一划拨", "120.00元"),
        ("区局（产业）工会承担", "90.00元"),
        ("基层单位承担", "60.00元"),
        ("本次你会应缴", "60.00元"),
        ("本年度你会累计需承担", "60.00元"),
        ("用途/附言", "提交编号101（划款时请在用途/附言中注明）"),
    ):
        assert label + amount in text
    assert text.endswith("上海市总工会职工援助服务中心上海市职工保障互助中心2019年11月5日第1页")
    fonts = pdf_fonts(response.data)
    assert fonts and all("WenQuanYi" in name and embedded for name, embedded in fonts), fonts


def test_ready_event_is_published_with_hash_and_scope(documents):
    first_submission(documents)
    ready = documents.ready_events()
    assert len(ready) == 1
    body = documents.as_("centre").get(NOTICE).data
    assert ready[0] == {
        **ready[0],
        "kind": "grassroots_notice",
        "version": 1,
        "union_id": c.UNION_A,
        "district_id": c.DISTRICT_1,
        "cover_year": 2020,
        "subject": "submission:101",
        "sha256": hashlib.sha256(body).hexdigest(),
        "media_type": "application/pdf",
        "about": "上海示范科技有限公司工会 2020年度集中参保",
    }


def test_nothing_is_rendered_until_every_fact_is_known(documents):
    documents.feed(c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1))
    assert documents.count("documents") == 0  # no price yet
    documents.feed(c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3))
    assert documents.count("documents") == 0  # no cover year dates yet
    documents.feed(c.submission(201, 99, c.DISTRICT_1, "A", 1, 1, 1), c.priced(201, 99, c.DISTRICT_1, "A", 1))
    documents.feed(c.cover_year())
    assert documents.count("documents") == 1  # union 99 is not in the directory yet: only union A's
    documents.feed(c.union(99, "后到的公司工会", c.DISTRICT_1))
    assert documents.count("documents") == 2
    text = pdf_text(documents.as_("centre").get("/grassroots-notices/99/2020/file").data)
    assert "后到的公司工会：" in text


def test_every_submission_makes_a_new_version_and_earlier_ones_stay_the_same_bytes(documents):
    first_submission(documents)
    owner = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1)
    v1 = owner.get(NOTICE).data
    documents.feed(
        c.submission(102, c.UNION_A, c.DISTRICT_1, "B", 2, 5, 2, submitted_at="2019-12-20T09:00:00+08:00"),
        c.priced(102, c.UNION_A, c.DISTRICT_1, "B", 2),
    )
    latest = owner.get(NOTICE)
    assert latest.headers["X-Document-Version"] == "2"
    text = pdf_text(latest.data)
    assert "截至今日参加B类会员共计5人" in text and "本次提交人数2人（第2次提交）" in text
    assert "本次你会应缴40.00元" in text and "本年度你会累计需承担100.00元" in text
    assert "2019年12月20日" in text
    again_v1 = owner.get(NOTICE + "?version=1")
    assert again_v1.data == v1 and again_v1.headers["ETag"].strip('"') == hashlib.sha256(v1).hexdigest()
    assert owner.get(NOTICE).data == latest.data  # re-download: the same bytes
    listing = owner.get("/documents").get_json()
    assert listing["total"] == 1 and listing["items"][0]["version"] == 2
    every = owner.get("/documents?all_versions=true").get_json()
    assert sorted(d["version"] for d in every["items"]) == [1, 2]
    detail = owner.get(f"/documents/{listing['items'][0]['id']}").get_json()
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    missing_version = owner.get(NOTICE + "?version=3")
    assert missing_version.status_code == 404 and missing_version.get_json()["error"]["code"] == "NOT_FOUND"


def test_a_returned_submission_no_longer_counts_towards_what_the_union_owes(documents):
    first_submission(documents)
    documents.feed(
        c.returned(101, c.UNION_A, c.DISTRICT_1),
        c.submission(102, c.UNION_A, c.DISTRICT_1, "B", 2, 2, 2),
        c.priced(102, c.UNION_A, c.DISTRICT_1, "B", 2),
    )
    text = pdf_text(documents.as_("centre").get(NOTICE).data)
    assert "截至今日参加B类会员共计2人" in text and "本年度你会累计需承担40.00元" in text


def test_a_redelivered_or_repeated_event_makes_no_second_version(documents):
    first_submission(documents)
    sub = c.submission(102, c.UNION_A, c.DISTRICT_1, "B", 2, 5, 2)
    price = c.priced(102, c.UNION_A, c.DISTRICT_1, "B", 2)
    documents.feed(sub, price)
    documents.feed(sub, price)  # the same event ids again: the inbox drops them
    documents.feed(c.event(sub["type"], sub["data"]), c.event(price["type"], price["data"]))  # same facts, new ids
    documents.feed(c.cover_year(version=1))
    assert documents.count("documents") == 2
    assert len(documents.ready_events()) == 2


def test_a_late_earlier_submission_does_not_overwrite_the_latest_notice(documents):
    documents.feed(
        c.cover_year(),
        c.submission(102, c.UNION_A, c.DISTRICT_1, "B", 2, 5, 2),
        c.priced(102, c.UNION_A, c.DISTRICT_1, "B", 2),
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3),
    )
    assert documents.count("documents") == 1
    assert "共计5人" in pdf_text(documents.as_("centre").get(NOTICE).data)


def test_instant_enrolments_leave_the_centralised_notice_alone(documents):
    """An instant submission gets its own notice (test_instant_notice.py), never a grassroots one."""
    documents.feed(
        c.cover_year(),
        c.submission(301, c.UNION_A, c.DISTRICT_1, "A", 1, 1, 1, mode="instant"),
        c.priced(301, c.UNION_A, c.DISTRICT_1, "A", 1, mode="instant"),
    )
    assert [e["kind"] for e in documents.ready_events()] == ["instant_notice"]
    assert documents.as_("centre").get(NOTICE).status_code == 404


def test_a_later_instant_notice_does_not_stop_an_earlier_centralised_submissions_notice(documents):
    """Instant submissions are numbered apart: instant no. 2 is not a later centralised submission."""
    documents.feed(
        c.cover_year(),
        c.submission(402, c.UNION_A, c.DISTRICT_1, "B", 1, 4, 2, mode="instant"),
        c.priced(402, c.UNION_A, c.DISTRICT_1, "B", 1, mode="instant"),
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3),
    )
    assert sorted(e["kind"] for e in documents.ready_events()) == ["grassroots_notice", "instant_notice"]


@pytest.mark.parametrize(
    "bad",
    [
        c.submission(101, c.UNION_A, c.DISTRICT_1, "C", 3, 3, 1),  # no such type
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 2, 1),  # total below this submission
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1, submitted_at="2019-11-05 10:00"),  # no zone
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", "3", 3, 1),  # headcount as text
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3, premium_fen=1),  # parts do not add up
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3, pay_by="27/12/2019"),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3, grassroots_owes_fen=None),
        c.cover_year(cover_end="2019-12-31"),
        c.cover_year(grassroots_window=["2019-11-01"]),
    ],
    ids=["type", "total", "zone", "headcount", "sum", "pay_by", "owes", "cover_end", "window"],
)
def test_a_malformed_event_fails_permanently_and_writes_nothing(documents, bad):
    with pytest.raises(PermanentFailure) as failure:
        documents.feed(bad)
    assert bad["id"] in str(failure.value)
    for table in ("submission_view", "cover_year_view", "documents", "outbox"):
        assert documents.count(table) == 0, table
    assert documents.count("inbox") == 5  # the directory events only: the bad one is not marked done


def test_billing_disagreeing_with_enrollment_fails_and_leaves_no_notice(documents):
    documents.feed(c.cover_year(), c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1))
    with pytest.raises(PermanentFailure) as failure:
        documents.feed(c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 4))
    assert "headcount" in str(failure.value)
    assert documents.count("documents") == 0


def test_without_billings_pay_by_the_years_grassroots_deadline_is_printed(documents):
    documents.feed(
        c.cover_year(grassroots_window=["2019-11-01", "2019-12-20"]),
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3, pay_by=None),
    )
    text = pdf_text(documents.as_("centre").get(NOTICE).data)
    assert "请于2019年12月20日之前" in text and "划款截止日期2019年12月20日" in text


def test_earlier_instant_submissions_do_not_count_towards_the_centralised_notice(documents):
    documents.feed(
        c.cover_year(),
        c.submission(401, c.UNION_A, c.DISTRICT_1, "B", 1, 1, 1, mode="instant"),
        c.priced(401, c.UNION_A, c.DISTRICT_1, "B", 1, mode="instant", pay_by=None),
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 2),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3),
    )
    assert "本年度你会累计需承担60.00元" in pdf_text(documents.as_("centre").get(NOTICE).data)


def test_the_years_total_is_billings_figure_when_its_event_carries_it(documents):
    """Schema 2: billing sums what the union owes for the year (union_owes_to_date_fen); documents
    prints it and sums nothing of its own."""
    first_submission(documents)
    owner = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1)
    priced = c.priced(102, c.UNION_A, c.DISTRICT_1, "B", 2, union_owes_to_date_fen=12345)
    priced["schema_version"] = 2
    documents.feed(
        c.submission(102, c.UNION_A, c.DISTRICT_1, "B", 2, 5, 2, submitted_at="2019-12-20T09:00:00+08:00"), priced
    )
    text = pdf_text(owner.get(NOTICE).data)
    assert "本次你会应缴40.00元" in text and "本年度你会累计需承担123.45元" in text
