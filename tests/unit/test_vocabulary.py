"""The published synonym table (issue 17 item 1): what offices write is read as the value it
means, the same in every upload; what is still unknown says which values are accepted."""

from datetime import date, datetime

import pytest

from services.members.domain import vocabulary as words
from services.members.domain.idcard import IdNumberInvalid, check_char, parse_resident_id, resident_number
from services.members.domain.member import check_member
from services.members.domain.vocabulary import UnknownWord, normalise, normalise_name, parse_date

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    "vocabulary, typed, value",
    [
        (words.EDUCATION, "本科", "大学本科"),
        (words.EDUCATION, "大专", "大专"),
        (words.EDUCATION, "专科", "大专"),
        (words.EDUCATION, "硕士", "硕士研究生"),
        (words.EDUCATION, "初中", "初中"),
        (words.EDUCATION, " 本 科　", "大学本科"),
        (words.EDUCATION, "ＭＢＡ", "硕士研究生"),
        (words.HOUSEHOLD_TYPE, "农业户口", "农业"),
        (words.HOUSEHOLD_TYPE, "城镇", "非农业"),
        (words.HOUSEHOLD_TYPE, "非农业 ", "非农业"),
        (words.GENDER, "男性", "男"),
        (words.GENDER, "f", "女"),
        (words.GENDER, "女\u3000", "女"),
        (words.ID_TYPE, "居民身份证", "身份证"),
        (words.ID_TYPE, "护照", "其他"),
        (words.ID_TYPE, "其它", "其他"),
        (words.SKILL_GRADE, "中级", "中级工"),
        (words.SKILL_GRADE, "一级", "高级技师"),
        (words.UNION_POST, "主席", "工会主席"),
        (words.UNION_POST, "会员", "工会会员"),
        (words.TRANSFER_OUT_REASON, "辞职", "离职"),
    ],
)
def test_what_offices_write_is_read_as_what_it_means(vocabulary, typed, value):
    assert normalise(vocabulary, typed) == value


def test_every_value_is_itself_and_empty_is_none():
    for vocabulary in words.VOCABULARIES:
        for value in vocabulary.values:
            assert normalise(vocabulary, value) == value
        assert normalise(vocabulary, "") is None and normalise(vocabulary, "  ") is None
        assert normalise(vocabulary, None) is None


def test_unknown_words_list_the_accepted_values():
    with pytest.raises(UnknownWord) as caught:
        normalise(words.EDUCATION, "幼儿园")
    assert "幼儿园" in str(caught.value) and "大学本科" in str(caught.value) and "硕士研究生" in str(caught.value)


@pytest.mark.parametrize(
    "typed",
    [
        "1985-03-12",
        "1985.3.12",
        "1985/03/12",
        "19850312",
        "1985年3月12日",
        "１９８５－０３－１２",
        " 1985-3-12 ",
        "1985-03-12 00:00:00",
        19850312.0,
        date(1985, 3, 12),
        datetime(1985, 3, 12),
    ],
)
def test_dates_in_the_forms_offices_use(typed):
    assert parse_date(typed) == date(1985, 3, 12)


@pytest.mark.parametrize("typed", ["1985-02-30", "85.3.12", "三月", 31118.0])
def test_dates_that_cannot_be_read_say_how_to_write_them(typed):
    with pytest.raises(ValueError) as caught:
        parse_date(typed)
    assert "1985" in str(caught.value) or "不存在" in str(caught.value)


def test_names_lose_padding_and_full_width():
    assert normalise_name("张  三 ") == "张三" and normalise_name("\u3000李四\u3000") == "李四"
    assert normalise_name(" John   Smith ") == "John Smith"


def test_a_member_row_with_office_spellings_is_clean():
    clean, errors = check_member(
        {
            "name": "王五 ",
            "id_type": "居民身份证",
            "id_number": "110101199003076632",
            "gender": "男性",
            "address": "地址",
            "mobile": "13812345678",
            "education": "本科",
            "household_type": "农业户口",
            "skill_grade": "中级",
            "union_post": "委员",
        },
        TODAY,
    )
    assert errors == {}
    assert (
        clean["education"],
        clean["household_type"],
        clean["skill_grade"],
        clean["union_post"],
        clean["gender"],
    ) == ("大学本科", "农业", "中级工", "工会委员", "男")


@pytest.mark.parametrize("province", ["00", "99", "10", "20", "80"])
def test_an_impossible_province_code_has_its_own_message(province):
    first17 = province + "0101199001011" + "23"
    number = first17 + check_char(first17)
    for check in (parse_resident_id, resident_number):
        with pytest.raises(IdNumberInvalid) as caught:
            check(number, TODAY)
        assert f"前两位（{province}）" in str(caught.value) and "省级行政区划" in str(caught.value)


def test_every_real_province_passes():
    for province in ("11", "31", "44", "65", "71", "81", "82"):
        first17 = province + "0101199001011" + "23"
        assert parse_resident_id(first17 + check_char(first17), TODAY).number.startswith(province)
