"""Resident ID numbers (GB 11643): check character, birth date, 15→18, normalisation, masking."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.members.domain import idcard
from services.members.domain.idcard import IdNumberInvalid, check_char, parse_resident_id

TODAY = date(2026, 11, 27)


def make(area="310101", birth="19900101", seq="123"):
    first17 = area + birth + seq
    return first17 + check_char(first17)


def test_known_valid_number_and_what_follows_from_it():
    # GB 11643 example number
    parsed = parse_resident_id("11010519491231002X", TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "女"  # 17th digit 2 is even
    assert parse_resident_id(make(seq="123"), TODAY).gender == "男"


def test_lower_case_x_full_width_and_spaces_are_normalised():
    assert parse_resident_id(" 11010519491231002x ", TODAY).number == "11010519491231002X"
    full = "１１０１０５１９４９１２３１００２ｘ"
    assert parse_resident_id(full, TODAY).number == "11010519491231002X"
    assert parse_resident_id("110105 1949 1231 002X", TODAY).number == "11010519491231002X"


def test_fifteen_digit_numbers_become_eighteen():
    parsed = parse_resident_id("110105491231002", TODAY)
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize(
    "raw, words",
    [
        ("11010519491231002", "18 位"),
        ("110105194912310021", "校验位"),
        ("110105194913310027", "出生日期不存在"),
        ("1101051949123100X2", "前 17 位"),
        ("①10105194912310021", "前 17 位"),
        ("11010519491231002٣", "前 17 位"),
        ("1101054912310①2", "15 位"),
        ("", "不能为空"),
        ("3.10101199001011E+17", "文本"),
        ("310101199001011000.0", "文本"),
    ],
)
def test_invalid_numbers_say_why(raw, words):
    with pytest.raises(IdNumberInvalid) as err:
        parse_resident_id(raw, TODAY)
    assert words in str(err.value)


@pytest.mark.parametrize(
    "raw, words",
    [
        ("110105194912310021", "校验位"),
        ("110105194913310027", "出生日期不存在"),
        ("1101051949123100X2", "前 17 位"),
        ("①10105194912310021", "前 17 位"),
        ("11010519491231002٣", "前 17 位"),
        ("１10105194912310021", "校验位"),  # full-width 1 folded by the slow path, then checked
        ("001051949123100212", "行政区划"),
    ],
)
def test_the_quick_path_for_clean_numbers_refuses_what_the_full_check_refuses(raw, words):
    from common.resident_id import resident_number

    with pytest.raises(IdNumberInvalid) as err:
        resident_number(raw, TODAY)
    assert words in str(err.value)
    assert resident_number("11010519491231002X", TODAY) == "11010519491231002X"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_check_character_from_base_13_is_the_standards_weighted_sum(first17):
    from common.resident_id import CHECK_CHARS, WEIGHTS

    by_weights = CHECK_CHARS[
        sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=False)) % 11
    ]  # GB 11643's own statement
    assert check_char(first17) == by_weights


def test_birth_date_in_the_future_is_refused():
    future = make(birth="20270101")
    with pytest.raises(IdNumberInvalid) as err:
        parse_resident_id(future, TODAY)
    assert "晚于今天" in str(err.value)
    assert parse_resident_id(future, date(2027, 1, 1)).birth_date == date(2027, 1, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY), st.integers(0, 999))
def test_every_generated_number_round_trips_and_any_single_digit_change_is_caught(birth, seq):
    number = make(birth=birth.strftime("%Y%m%d"), seq=f"{seq:03d}")
    parsed = parse_resident_id(number, TODAY)
    assert parsed.birth_date == birth and parsed.gender == ("男" if seq % 2 else "女")
    # MOD 11-2 catches every single-digit substitution in the sequence part
    changed = number[:14] + str((int(number[14]) + 1) % 10) + number[15:]
    with pytest.raises(IdNumberInvalid):
        parse_resident_id(changed, TODAY)


def test_other_id_types_are_taken_as_given_but_not_blank_or_excel_numbers():
    assert idcard.normalise_other_id(" h1234567 ") == "H1234567"
    with pytest.raises(IdNumberInvalid):
        idcard.normalise_other_id("  ")
    with pytest.raises(IdNumberInvalid):
        idcard.normalise_other_id("1.2345E+17")


def test_masks():
    assert idcard.mask_id("310101199001011234") == "3101**********1234"
    assert idcard.mask_mobile("13812345678") == "138****5678"
    assert idcard.mask_mobile(None) is None
