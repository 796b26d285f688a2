"""The district notice (区局（产业）工会参保告知书, SPEC §5) on a batch submitted to the centre: per
type headcount, total, union share, credit applied, remaining due, deadline, bank account."""

import pytest

from common.bus import PermanentFailure
from tests.services.documents import contract as c
from tests.services.documents.conftest import pdf_fonts, pdf_text

PARTS = [(101, c.UNION_A, "B", 5), (103, c.UNION_B, "A", 4)]
NOTICE = "/district-notices/7/file"


def submit_batch(documents, credit_fen=10000, **priced_changes):
    documents.feed(
        c.cover_year(),
        c.batch_submitted(7, c.DISTRICT_1, PARTS),
        c.batch_priced(7, c.DISTRICT_1, {"B": 5, "A": 4}, credit_fen, **priced_changes),
    )


def test_district_notice_prints_types_totals_credit_due_deadline_and_the_bank_account(documents):
    submit_batch(documents)
    response = documents.as_("district", district_id=c.DISTRICT_1).get(NOTICE)
    assert response.status_code == 200, response.get_data(as_text=True)
    text = pdf_text(response.data)
    # B: 5 × 90 = 450, city 200, district 150, grassroots 100; A: 4 × 26 = 104, city 52, district 52;
    # premium 554, share 302 (district 202, grassroots 100), credit 100, due 202. 参保资金总额 is every
    # premium (docs/terms.md): it printed the unions' share (302.00) before issue 26.
    assert (
        "黄浦区总工会：你会集中参保2020年度会员专享基本保障计划，参加A类会员共计4人，参加B类会员共计5人，合计9人，"
        "参保资金总额为554.00元，其中市总统一划拨252.00元，区局（产业）工会承担202.00元，基层单位承担100.00元"
        "（工会承担302.00元）。鉴于2018年会员保障清算分配款100.00元指定用于抵扣2020年度会员保障集中参保款项，"
        "你会尚需于2020年1月20日之前将剩余参保资金（应缴）202.00元划入如下账户（划款时请在用途/附言中注明参保批次"
        "CB201912280001），保障日期为2020年1月1日起至2020年12月31日止。"
        "逾期未划款，则按照即时参保流程另行办理参保手续"
    ) in text
    assert (
        "户名：上海市职工保障互助中心会员专享保障专户账号：316023-03002745697开户行：上海银行人民广场支行"
        "用途/附言：CB201912280001"
    ) in text
    assert "A类4104.0052.0052.000.0052.00" in text and "B类5450.00200.00150.00100.00250.00" in text
    assert "合计9554.00252.00202.00100.00302.00" in text
    assert "参保批次CB201912280001" in text and "工会承担302.00元" in text and "应缴（尚需划款）202.00元" in text
    assert text.endswith("上海市总工会职工援助服务中心上海市职工保障互助中心2019年12月28日第1页")
    assert all("WenQuanYi" in name and embedded for name, embedded in pdf_fonts(response.data))


def test_credit_larger_than_the_share_leaves_nothing_due_never_negative(documents):
    submit_batch(documents, credit_fen=10_000_000)
    text = pdf_text(documents.as_("centre").get(NOTICE).data)
    assert "清算分配款302.00元" in text and "剩余参保资金（应缴）0.00元" in text


def test_bank_account_of_a_schema_1_event_comes_from_configuration(documents, monkeypatch):
    monkeypatch.setenv("DOCUMENTS_BANK_ACCOUNT_NUMBER", "316023-99999999999")
    monkeypatch.setenv("BILLING_PAYEE_BANK", "上海银行别的支行")  # billing's setting: never read here
    monkeypatch.setenv("DOCUMENTS_BANK_NAME", "上海银行测试支行")
    submit_batch(documents)
    text = pdf_text(documents.as_("centre").get(NOTICE).data)
    assert "户名：上海市职工保障互助中心会员专享保障专户账号：316023-99999999999开户行：上海银行测试支行" in text


def test_bank_account_is_billings_payee_from_its_event(documents, monkeypatch):
    monkeypatch.setenv("DOCUMENTS_BANK_ACCOUNT_NUMBER", "316023-99999999999")  # for schema 1 only
    payee = {"account_name": "某某专户", "account_no": "316023-12345678901", "bank": "上海银行某支行"}
    priced = c.batch_priced(7, c.DISTRICT_1, {"B": 5, "A": 4}, 10000, payee=payee)
    priced["schema_version"] = 2
    documents.feed(c.cover_year(), c.batch_submitted(7, c.DISTRICT_1, PARTS), priced)
    text = pdf_text(documents.as_("centre").get(NOTICE).data)
    assert "户名：某某专户账号：316023-12345678901开户行：上海银行某支行" in text


def test_a_schema_2_batch_price_without_payee_is_dead_lettered(documents):
    priced = c.batch_priced(7, c.DISTRICT_1, {"B": 5, "A": 4}, 0)
    priced["schema_version"] = 2
    with pytest.raises(PermanentFailure, match="payee"):
        documents.feed(priced)
    assert documents.count("batch_view") == 0


def test_either_half_may_come_first_and_a_repeat_makes_no_new_version(documents):
    priced = c.batch_priced(7, c.DISTRICT_1, {"B": 5, "A": 4}, 0)
    submitted = c.batch_submitted(7, c.DISTRICT_1, PARTS)
    documents.feed(c.cover_year(), priced)
    assert documents.count("documents") == 0
    documents.feed(submitted, c.event(priced["type"], priced["data"]), c.event(submitted["type"], submitted["data"]))
    assert documents.count("documents") == 1
    ready = documents.ready_events()
    assert [(e["kind"], e["district_id"], e["union_id"], e["subject"]) for e in ready] == [
        ("district_notice", c.DISTRICT_1, None, "batch:7")
    ]
    # what a person reads of it: the batch's number and the district's name, never "batch:7"
    assert ready[0]["about"] == "批次 CB201912280001（黄浦区总工会）"


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"due_fen": 1}, "due_fen"),
        ({"credit_applied_fen": -5}, "credit_applied_fen"),
        ({"headcount": 8}, "headcount"),
        ({"by_type": []}, "by_type"),
        ({"batch_no": ""}, "batch_no"),
    ],
)
def test_malformed_batch_pricing_is_dead_lettered_and_writes_nothing(documents, changes, reason):
    documents.feed(c.cover_year(), c.batch_submitted(7, c.DISTRICT_1, PARTS))
    with pytest.raises(PermanentFailure) as failure:
        documents.feed(c.batch_priced(7, c.DISTRICT_1, {"B": 5, "A": 4}, 0, **changes))
    assert reason in str(failure.value)
    assert documents.count("documents") == 0
    assert documents.count("outbox") == 0


def test_billing_and_enrollment_disagreeing_on_headcounts_is_refused(documents):
    documents.feed(c.cover_year(), c.batch_submitted(7, c.DISTRICT_1, PARTS))
    with pytest.raises(PermanentFailure) as failure:
        documents.feed(c.batch_priced(7, c.DISTRICT_1, {"B": 4, "A": 5}, 0))
    assert "by_type" in str(failure.value)
    assert documents.count("documents") == 0


def jb_batch(documents, credit_fen=0, year=None, **priced_changes):
    """A JB batch submitted on 10 March 2020, priced by billing with its own pay-by (decision 0018)."""
    documents.feed(
        year or c.cover_year(),
        c.batch_submitted(
            9, c.DISTRICT_1, PARTS, batch_no="JB202003100001", mode="instant", submitted_at="2020-03-10T15:30:00+08:00"
        ),
        c.batch_priced(
            9,
            c.DISTRICT_1,
            {"B": 5, "A": 4},
            credit_fen,
            batch_no="JB202003100001",
            mode="instant",
            **{"pay_by": "2020-03-25", **priced_changes},
        ),
    )
    return documents.as_("district", district_id=c.DISTRICT_1).get("/district-notices/9/file")


def test_a_jb_batch_gets_its_district_notice_with_amounts_pay_by_and_the_bank_account(documents):
    response = jb_batch(documents)
    assert response.status_code == 200, response.get_data(as_text=True)
    text = pdf_text(response.data)
    # the same batch as above (share 302.00), no credit: all of it due by billing's pay-by
    assert (
        "黄浦区总工会：你会即时参保2020年度会员专享基本保障计划（参保批次JB202003100001），参加A类会员共计4人，"
        "参加B类会员共计5人，合计9人，参保资金总额为554.00元，其中市总统一划拨252.00元，区局（产业）工会承担202.00元，"
        "基层单位承担100.00元（工会承担302.00元）。请于2020年3月25日之前将参保资金（应缴）302.00元划入如下账户"
        "（划款时请在用途/附言中注明参保批次JB202003100001），保障日期自办理参保日的次日（新办卡人员自卡号生成的次日）起至2020年12月31日止。逾期未划款，则本批次参保无效，"
        "需按照即时参保流程另行办理参保手续。"
    ) in text
    assert "户名：上海市职工保障互助中心会员专享保障专户账号：316023-03002745697开户行：上海银行人民广场支行" in text
    assert "合计9554.00252.00202.00100.00302.00" in text and "应缴（尚需划款）302.00元" in text
    assert "划款截止日期2020年3月25日" in text
    assert "清算分配款" not in text and "集中参保" not in text
    assert text.endswith("上海市总工会职工援助服务中心上海市职工保障互助中心2020年3月10日第1页")
    ready = documents.ready_events()
    assert [(e["kind"], e["subject"], e["filename"]) for e in ready] == [
        ("instant_district_notice", "batch:9", "即时参保告知书_黄浦区总工会_JB202003100001.pdf")
    ]
    listed = documents.as_("district", district_id=c.DISTRICT_1).get("/documents?kind=instant_district_notice")
    assert [(i["title"], i["download"]) for i in listed.get_json()["items"]] == [
        ("区局（产业）工会即时参保告知书", f"/documents/documents/{ready[0]['document_id']}/file")
    ]
    assert documents.as_("district", district_id=c.DISTRICT_2).get("/district-notices/9/file").status_code == 404


def test_a_jb_batch_with_credit_says_so_and_without_billings_pay_by_falls_back_to_the_years_days(documents):
    text = pdf_text(jb_batch(documents, credit_fen=10000, pay_by=None, year=c.cover_year(instant_payment_days=10)).data)
    assert (
        "鉴于会员保障清算分配款100.00元用于抵扣本批次参保款项，你会尚需于2020年3月20日之前将剩余参保资金（应缴）"
        "202.00元划入如下账户"
    ) in text
    assert "清算分配款抵扣100.00元" in text


def test_a_batch_price_of_schema_2_without_the_split_prints_the_unions_share_whole(documents):
    payee = {"account_name": "某某专户", "account_no": "316023-12345678901", "bank": "上海银行某支行"}
    priced = c.batch_priced(7, c.DISTRICT_1, {"B": 5, "A": 4}, 0, split=False, payee=payee)
    priced["schema_version"] = 2
    documents.feed(c.cover_year(), c.batch_submitted(7, c.DISTRICT_1, PARTS), priced)
    text = pdf_text(documents.as_("centre").get(NOTICE).data)
    assert "参保资金总额为554.00元，其中市总统一划拨252.00元，工会承担302.00元。" in text
    assert "合计9554.00252.00302.00" in text and "基层单位承担" not in text


def test_a_batch_price_of_schema_3_without_the_split_is_dead_lettered(documents):
    payee = {"account_name": "某某专户", "account_no": "316023-12345678901", "bank": "上海银行某支行"}
    priced = c.batch_priced(7, c.DISTRICT_1, {"B": 5, "A": 4}, 0, split=False, payee=payee)
    priced["schema_version"] = 3
    with pytest.raises(PermanentFailure, match="district_share_fen"):
        documents.feed(priced)
    assert documents.count("batch_view") == 0
