"""The notices' wording and arithmetic checks (SPEC §5, the guide's 告知书), with no I/O."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.documents.domain import facts
from services.documents.domain.facts import MalformedEvent
from services.documents.domain.notices import BankAccount, chinese_date, district_notice, grassroots_notice
from services.documents.settings import load as documents_settings
from tests.services.documents import contract as c

YEAR = facts.parse_cover_year(c.cover_year()["data"])


def notice(**price_changes):
    sub = facts.parse_submission(c.submission(101, 11, 1, "A+", 3, 7, 2)["data"])
    price = facts.parse_submission_price(c.priced(101, 11, 1, "A+", 3, **price_changes)["data"])
    return grassroots_notice("甲公司工会", YEAR, sub, price, owes_before_fen=1234)


def test_dates_print_as_the_guide_prints_them():
    assert chinese_date(date(2019, 12, 31)) == "2019 年 12 月 31 日"
    assert chinese_date(date(2020, 1, 1)) == "2020 年 1 月 1 日"


def test_grassroots_wording_is_the_guides_with_this_unions_facts():
    guide = (
        "你会集中参保 {year} 年度会员专享基本保障计划，截至今日参加 {type} 类会员共计 {n} 人，请于 {deadline} 之前"
        "根据你会所在区、局（产业）工会的安排将你会需要承担的参保资金划入所属区、局（产业）工会账户，保障日期为 "
        "{start}起至 {end}。逾期未划款则所有参保均无效，需按照即时参保流程另行办理参保手续，即时参保的保障日期"
        "自办理参保日的次日至 {end}止。"
    )
    n = notice()
    assert n.salutation == "甲公司工会："
    assert n.paragraphs == [
        guide.format(
            year=2020,
            type="A+",
            n=7,
            deadline="2019 年 12 月 27 日",
            start="2020 年 1 月 1 日",
            end="2020 年 12 月 31 日",
        )
    ]
    assert n.dated == date(2019, 11, 5)
    assert n.grassroots_owes_total_fen == 1234 + 0  # A+ is 13 + 63 + 0: the union owes nothing more


def test_same_facts_same_key_other_facts_other_key():
    assert notice().input_key() == notice().input_key()
    assert notice().input_key() != notice(pay_by="2019-12-20").input_key()


def test_submission_time_is_read_in_shanghai():
    data = c.submission(1, 11, 1, "A", 1, 1, 1, submitted_at="2019-11-04T17:30:00+00:00")["data"]
    assert facts.parse_submission(data).submitted_at.date() == date(2019, 11, 5)


def test_halves_of_a_submission_must_agree():
    sub = facts.parse_submission(c.submission(101, 11, 1, "A", 3, 3, 1)["data"])
    for changes in ({"union_id": 12}, {"type": "B"}, {"cover_year": 2021}):
        data = {**c.priced(101, 11, 1, "A", 3)["data"], **changes}
        price = facts.parse_submission_price(data)
        with pytest.raises(MalformedEvent, match=next(iter(changes))):
            grassroots_notice("甲", YEAR, sub, price, 0)


def test_district_wording_has_every_type_the_credit_and_the_account():
    batch = facts.parse_batch(c.batch_submitted(7, 1, [(1, 11, "B+", 2), (2, 12, "A", 1)])["data"])
    price = facts.parse_batch_price(c.batch_priced(7, 1, {"B+": 2, "A": 1}, 500)["data"])
    n = district_notice("静安区总工会", YEAR, batch, price, documents_settings().schema_1_payee)
    # B+ 2 × 140 = 280, city 80, district 200; A 26, city 13, district 13 → premium 306.00, share 213.00
    # (district 213.00, grassroots 0.00), credit 5.00, due 208.00. 参保资金总额 is every premium
    # (docs/terms.md), never the unions' share it used to name.
    assert n.paragraphs[0].startswith(
        "你会集中参保 2020 年度会员专享基本保障计划，参加 A 类会员共计 1 人，"
        "参加 B+ 类会员共计 2 人，合计 3 人，参保资金总额为 306.00 元，其中市总统一划拨 93.00 元，"
        "区局（产业）工会承担 213.00 元，基层单位承担 0.00 元（工会承担 213.00 元）。鉴于 2018 年会员保障"
        "清算分配款 5.00 元指定用于抵扣 2020 年度会员保障集中参保款项，你会尚需于 2020 年 1 月 "
        "20 日之前将剩余参保资金（应缴）208.00 元划入如下账户（划款时请在用途/附言中注明参保批次 CB201912280001）"
    )
    assert [(r.label, r.value) for r in n.bank_rows] == [
        ("户名", "上海市职工保障互助中心会员专享保障专户"),
        ("账号", "316023-03002745697"),
        ("开户行", "上海银行人民广场支行"),
        ("用途/附言", "CB201912280001"),
    ]
    assert [(r.label, r.value) for r in n.rows][2:5] == [
        ("工会承担", "213.00 元"),
        ("2018 年清算分配款抵扣", "5.00 元"),
        ("应缴（尚需划款）", "208.00 元"),
    ]
    assert n.table.rows[-1] == ("合计", "3", "306.00", "93.00", "213.00", "0.00", "213.00")
    assert isinstance(n.bank, BankAccount) and n.dated == date(2019, 12, 28)


lines = st.lists(
    st.tuples(
        st.sampled_from(facts.COVER_TYPES), st.integers(1, 100_000), st.integers(0, 10**7), st.integers(0, 10**7)
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda t: t[0],
)


@given(lines, st.integers(0, 10**9), st.integers(-3, 3))
def test_due_is_always_share_less_credit_and_never_negative(raw, credit, tamper):
    by_type = [
        {"type": t, "headcount": n, "premium_fen": p + s, "city_subsidy_fen": p, "union_share_fen": s}
        for t, n, p, s in raw
    ]
    share = sum(x["union_share_fen"] for x in by_type)
    applied = min(credit, share)
    data = {
        "batch_id": 1,
        "batch_no": "CB201912280001",
        "district_id": 1,
        "cover_year": 2020,
        "mode": "centralised",
        "headcount": sum(x["headcount"] for x in by_type),
        "by_type": by_type,
        "premium_fen": sum(x["premium_fen"] for x in by_type),
        "city_subsidy_fen": sum(x["city_subsidy_fen"] for x in by_type),
        "union_share_fen": share,
        "credit_applied_fen": applied,
        "due_fen": share - applied + tamper,
        "pay_by": "2020-01-20",
    }
    if tamper == 0:
        price = facts.parse_batch_price(data)
        assert price.due_fen >= 0 and price.due_fen + price.credit_applied_fen == price.union_share_fen
    else:
        with pytest.raises(MalformedEvent):
            facts.parse_batch_price(data)


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "submission_id"),
        ("not an object", "data"),
        ({**c.submission(1, 11, 1, "A", 1, 1, 1)["data"], "union_id": True}, "union_id"),
        ({**c.submission(1, 11, 1, "A", 1, 1, 1)["data"], "mode": "later"}, "mode"),
        ({**c.submission(1, 11, 1, "A", 1, 1, 1)["data"], "headcount": 0}, "headcount"),
    ],
)
def test_malformed_submissions_name_the_field(data, field):
    with pytest.raises(MalformedEvent, match=field):
        facts.parse_submission(data)


def test_a_later_notice_leaves_out_only_what_its_figures_counted_and_was_returned_since():
    """Decision 0034: #2 (submitted 20 Nov) counted #1; #1 returned on 25 Nov is left out of it,
    a submission returned before 20 Nov was never in its figures, and a later one never was."""
    from datetime import datetime

    from common.clock import SHANGHAI
    from services.documents.domain.notices import left_out_of, owes_before

    sub = facts.parse_submission(
        c.submission(102, 11, 1, "B", 2, 5, 2, submitted_at="2019-11-20T09:00:00+08:00")["data"]
    )
    price = facts.parse_submission_price(c.priced(102, 11, 1, "B", 2, union_owes_to_date_fen=10000)["data"])
    returned = [
        (1, 3, 6000, "名单有误", datetime(2019, 11, 25, 16, tzinfo=SHANGHAI)),  # counted, returned since: out
        (0, 4, 8000, "重复", datetime(2019, 11, 10, 9, tzinfo=SHANGHAI)),  # returned before #2: never counted
        (3, 1, 2000, "多报", datetime(2019, 11, 26, 9, tzinfo=SHANGHAI)),  # later than #2: never counted
    ]
    left = left_out_of(sub, returned)
    assert [x.sequence for x in left] == [1]
    assert owes_before(price, left) == 10000 - 4000 - 6000
    notice = grassroots_notice("甲", YEAR, sub, price, owes_before(price, left), left)
    assert notice.headcount_total == 2 and notice.grassroots_owes_total_fen == 4000
    assert notice.dated == date(2019, 11, 25)
    assert notice.rows[-1].label == "已退回的提交" and "名单有误" in notice.rows[-1].value
    schema_1 = facts.parse_submission_price(c.priced(102, 11, 1, "B", 2)["data"])
    assert owes_before(schema_1, left) is None  # then documents sums the counted submissions itself
