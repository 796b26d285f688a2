"""Member field rules (SPEC §2): ID and gender/birth agreement, mobiles, enumerations, defaults."""

from datetime import date

from services.members.domain.idcard import check_char
from services.members.domain.member import check_member, member_no, normalise_mobile, status_after_joining

TODAY = date(2026, 11, 27)
FIRST17 = "31010119900101123"
ID = FIRST17 + check_char(FIRST17)  # male, born 1990-01-01


def form(**over):
    data = {
        "name": "张三",
        "id_type": "resident",
        "id_number": ID,
        "address": "上海市黄浦区人民大道 200 号",
        "mobile": "13812345678",
        "education": "大学本科",
        "household_type": "非农业",
    }
    data.update(over)
    return data


def test_a_good_form_gets_gender_birth_and_defaults_from_the_rules():
    clean, errors = check_member(form(), TODAY)
    assert errors == {}
    assert clean["gender"] == "男" and clean["birth_date"] == date(1990, 1, 1)
    assert clean["skill_grade"] == "无" and clean["union_post"] == "工会会员"


def test_gender_or_birth_disagreeing_with_the_id_is_refused():
    _, errors = check_member(form(gender="女"), TODAY)
    assert "性别与身份证号码不符" in errors["gender"][0]
    _, errors = check_member(form(birth_date="1990-01-02"), TODAY)
    assert "出生日期与身份证号码不符" in errors["birth_date"][0]
    _, errors = check_member(form(gender="男", birth_date="1990-01-01"), TODAY)
    assert errors == {}


def test_fifteen_digit_id_is_stored_as_eighteen():
    clean, errors = check_member(form(id_number="110105491231002"), TODAY)
    assert errors == {} and clean["id_number"] == "11010519491231002X" and clean["gender"] == "女"


def test_other_id_types_need_gender_and_birth_but_are_not_checked():
    clean, errors = check_member(form(id_type="其他", id_number="H12345678"), TODAY)
    assert set(errors) == {"gender", "birth_date"}
    clean, errors = check_member(
        form(id_type="other", id_number="h12345678", gender="女", birth_date="1980/5/6"), TODAY
    )
    assert errors == {} and clean["id_number"] == "H12345678" and clean["birth_date"] == date(1980, 5, 6)


def test_mobiles_and_enumerations():
    assert normalise_mobile("138 1234 5678") == "13812345678"
    assert normalise_mobile("+8613812345678") == "13812345678"
    assert normalise_mobile("12345678901") is None
    assert normalise_mobile("021-63210002") is None
    _, errors = check_member(
        form(mobile="12345", education="幼儿园", household_type="城乡", skill_grade="大师", union_post="会长"), TODAY
    )
    assert set(errors) == {"mobile", "education", "household_type", "skill_grade", "union_post"}


def test_required_fields_are_named():
    _, errors = check_member({}, TODAY)
    assert {"name", "id_number", "address", "mobile", "education", "household_type"} <= set(errors)


def test_member_numbers_and_status_after_joining():
    assert member_no(1) == "0000000001" and member_no(1234567890) == "1234567890"
    assert status_after_joining("0000000001") == "normal" and status_after_joining(None) == "pending"
