"""The money terms mean one amount each (docs/terms.md, issue 26 item 6): the glossary defines
every term of common/terms.py, and the notices print each term beside that amount."""

from pathlib import Path

import pytest

from common import terms
from services.documents.domain import facts
from services.documents.domain.facts import MalformedEvent
from services.documents.domain.notices import district_notice, grassroots_notice
from services.documents.settings import load as documents_settings
from tests.services.documents import contract as c

GLOSSARY = (Path(__file__).parents[2] / "docs" / "terms.md").read_text(encoding="utf-8")
YEAR = facts.parse_cover_year(c.cover_year()["data"])


@pytest.mark.parametrize("term", terms.TERMS, ids=lambda t: t.field)
def test_the_glossary_defines_each_term_once_with_its_field(term):
    rows = [line for line in GLOSSARY.splitlines() if line.startswith(f"| **{term.name}** |")]
    assert len(rows) == 1, term.name
    assert f"`{term.field}`" in rows[0]


def test_names_and_fields_are_distinct_and_the_parts_are_the_premium():
    assert len({t.name for t in terms.TERMS}) == len({t.field for t in terms.TERMS}) == len(terms.TERMS)
    assert terms.PREMIUM.label() == "参保资金总额（元）"
    assert terms.batch_memo("CB201912300001") == "CB201912300001"
    assert terms.submission_memo(42) == "提交编号42"


def _batch(**priced_changes):
    batch = facts.parse_batch(c.batch_submitted(7, 1, [(1, 11, "B", 4), (2, 12, "A", 1)])["data"])
    price = facts.parse_batch_price(c.batch_priced(7, 1, {"B": 4, "A": 1}, 0, **priced_changes)["data"])
    return district_notice("静安区总工会", YEAR, batch, price, documents_settings().schema_1_payee)


def test_district_notice_names_every_amount_as_the_glossary_does():
    # B 4 × 90 = 360 (city 160, district 120, grassroots 80); A 26 (13, 13, 0): premium 386, city 173
    n = _batch()
    rows = {r.label: r.value for r in n.rows}
    assert rows["工会承担"] == "213.00 元" and rows["应缴（尚需划款）"] == "213.00 元"
    assert "参保资金总额为 386.00 元" in n.paragraphs[0]
    assert n.table.header == (
        "保障类型",
        "参保人数",
        "参保资金总额（元）",
        "市总统一划拨（元）",
        "区局（产业）工会承担（元）",
        "基层单位承担（元）",
        "工会承担（元）",
    )
    assert n.table.rows[-1] == ("合计", "5", "386.00", "173.00", "133.00", "80.00", "213.00")


def test_a_batch_price_without_the_split_prints_the_unions_share_whole():
    n = _batch(split=False)
    rows = {r.label: r.value for r in n.rows}
    assert rows["工会承担"] == "213.00 元"
    assert "参保资金总额为 386.00 元，其中市总统一划拨 173.00 元，工会承担 213.00 元。" in n.paragraphs[0]
    assert len(n.table.header) == 5


def test_a_split_that_does_not_add_up_or_comes_half_is_refused():
    data = c.batch_priced(7, 1, {"B": 4}, 0)["data"]
    with pytest.raises(MalformedEvent, match="district_share_fen"):
        facts.parse_batch_price({**data, "district_share_fen": data["district_share_fen"] + 1})
    with pytest.raises(MalformedEvent, match="one without the other"):
        facts.parse_batch_price({**data, "grassroots_share_fen": None})
    line = {**data["by_type"][0], "grassroots_share_fen": 1}
    with pytest.raises(MalformedEvent, match=r"by_type\[B\]"):
        facts.parse_batch_price({**data, "by_type": [line]})


def test_schema_3_requires_the_split():
    event = c.batch_priced(7, 1, {"B": 4}, 0, split=False, payee={"account_name": "x", "account_no": "1", "bank": "y"})
    event["schema_version"] = 3
    with pytest.raises(MalformedEvent, match="district_share_fen"):
        facts.check_schema(event)
    event["schema_version"] = 2
    facts.check_schema(event)


def test_grassroots_notice_prints_its_submission_number_as_the_memo():
    sub = facts.parse_submission(c.submission(101, 11, 1, "B", 3, 3, 1)["data"])
    price = facts.parse_submission_price(c.priced(101, 11, 1, "B", 3)["data"])
    rows = {r.label: r.value for r in grassroots_notice("甲工会", YEAR, sub, price, 0).rows}
    assert rows["用途/附言"] == "提交编号101（划款时请在用途/附言中注明）"
    assert rows["本次参保资金总额"] == "270.00 元" and rows["基层单位承担"] == "60.00 元"
    assert rows["本次你会应缴"] == "60.00 元"
