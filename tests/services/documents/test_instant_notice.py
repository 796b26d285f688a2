"""The instant notice (即时参保告知书, decision 0018): one for each instant submission once billing
has priced it, the grassroots notice's wording adapted, with billing's amounts and pay-by."""

from tests.services.documents import contract as c
from tests.services.documents.conftest import pdf_fonts, pdf_text

# B instant, 2 first-half card holders (90 = city 40 + district 30 + grassroots 20) and one
# second-half (45 = 20 + 15 + 10): premium 225.00 = city 100.00 + district 75.00 + grassroots 50.00
COUNTS = {"instant_first_half": 2, "instant_second_half": 1}
AMOUNTS = {
    "premium_fen": 22500,
    "city_subsidy_fen": 10000,
    "district_share_fen": 7500,
    "grassroots_share_fen": 5000,
    "grassroots_owes_fen": 5000,
}


def instant(submission_id=301, sequence=1, submitted_at="2020-03-10T10:00:00+08:00", pay_by="2020-03-25", **changes):
    return (
        c.submission(
            submission_id,
            c.UNION_A,
            c.DISTRICT_1,
            "B",
            3,
            3,
            sequence,
            mode="instant",
            kind="new_card",
            counts=COUNTS,
            submitted_at=submitted_at,
        ),
        c.priced(
            submission_id, c.UNION_A, c.DISTRICT_1, "B", 3, mode="instant", pay_by=pay_by, **{**AMOUNTS, **changes}
        ),
    )


def test_instant_notice_prints_the_adapted_wording_with_billings_amounts_and_pay_by(documents):
    documents.feed(c.cover_year(), *instant())
    response = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1).get(
        "/instant-notices/301/file"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    text = pdf_text(response.data)
    assert text.startswith("告知书上海示范科技有限公司工会：")
    assert (
        "你会即时参保2020年度会员专享基本保障计划，参加B类会员共计3人，参保资金总额225.00元，其中市总统一划拨100.00元，"
        "区局（产业）工会承担75.00元，基层单位承担（你会需承担）50.00元。请于2020年3月25日之前根据你会所在区、局（产业）工会的安排"
        "将你会需要承担的参保资金划入所属区、局（产业）工会账户，保障日期自办理参保日的次日（新办卡人员自卡号生成的次日）"
        "起至2020年12月31日止。逾期未划款则本次参保无效，需按照即时参保流程另行办理参保手续。"
    ) in text
    for label, value in (
        ("参保方式", "新办卡人员即时参保"),
        ("本次参保人数", "3人（第1次即时参保）：上半年办卡（全年保费）2人，下半年办卡（半年保费）1人"),
        ("参保资金总额", "225.00元"),
        ("其中：市总统一划拨", "100.00元"),
        ("区局（产业）工会承担", "75.00元"),
        ("基层单位承担", "50.00元"),
        ("你会应缴", "50.00元"),
        ("用途/附言", "提交编号301"),
        ("划款截止日期", "2020年3月25日"),
    ):
        assert label + value in text, label
    assert "集中参保" not in text and "截至今日" not in text
    assert text.endswith("上海市总工会职工援助服务中心上海市职工保障互助中心2020年3月10日第1页")
    assert all("WenQuanYi" in name and embedded for name, embedded in pdf_fonts(response.data))


def test_each_instant_submission_has_its_own_notice_listed_for_the_union_and_its_district_only(documents):
    documents.feed(c.cover_year(), *instant(), *instant(302, 2, "2020-04-01T09:00:00+08:00", "2020-04-16"))
    ready = documents.ready_events()
    assert [(e["kind"], e["subject"], e["version"], e["union_id"]) for e in ready] == [
        ("instant_notice", "submission:301", 1, c.UNION_A),
        ("instant_notice", "submission:302", 1, c.UNION_A),
    ]
    mine = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1).get("/documents").get_json()
    assert sorted((i["title"], i["filename"]) for i in mine["items"]) == [
        ("基层工会即时参保告知书", "即时参保告知书_上海示范科技有限公司工会_2020年度_第1次即时参保.pdf"),
        ("基层工会即时参保告知书", "即时参保告知书_上海示范科技有限公司工会_2020年度_第2次即时参保.pdf"),
    ]
    assert "请于2020年4月16日之前" in pdf_text(
        documents.as_("district", district_id=c.DISTRICT_1).get("/instant-notices/302/file").data
    )
    for outsider in (
        documents.as_("grassroots", union_id=c.UNION_B, district_id=c.DISTRICT_1),
        documents.as_("district", district_id=c.DISTRICT_2),
    ):
        assert outsider.get("/instant-notices/301/file").status_code == 404
    # the same facts again under new event ids make no new version
    documents.feed(*(c.event(e["type"], e["data"]) for e in instant()))
    assert len(documents.ready_events()) == 2


def test_without_billings_pay_by_the_years_instant_payment_days_apply(documents):
    documents.feed(*instant(pay_by=None), c.cover_year(instant_payment_days=20))  # the year last: rendered then
    text = pdf_text(documents.as_("centre").get("/instant-notices/301/file").data)
    assert "请于2020年3月30日之前" in text and "划款截止日期2020年3月30日" in text


def test_an_instant_submission_returned_before_it_was_priced_gets_no_notice(documents):
    submitted, priced = instant()
    documents.feed(c.cover_year(), submitted, c.returned(301, c.UNION_A, c.DISTRICT_1), priced)
    assert documents.count("documents") == 0
