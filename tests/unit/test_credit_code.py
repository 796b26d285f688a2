"""GB 32100-2015 unified social credit code: 18 characters, its alphabet, its check character."""

import pytest

from services.members.domain.directory import CreditCodeInvalid, credit_code_check_char, normalise_credit_code

REAL = "91310000132211766E"  # a published code, check character E


def test_a_real_code_passes():
    assert normalise_credit_code(REAL) == REAL


def test_lower_case_and_spaces_are_normalised():
    assert normalise_credit_code("  " + REAL.lower() + " ") == REAL


@pytest.mark.parametrize(
    "code, reason",
    [
        ("91310000132211766", "18 位"),
        ("91310000132211766EE", "18 位"),
        ("91310000132211766F", "校验位"),
        ("9131000013221176IE", "不允许的字符"),
        ("91AB0000132211766E", "行政区划"),
    ],
)
def test_bad_codes_say_why(code, reason):
    with pytest.raises(CreditCodeInvalid) as err:
        normalise_credit_code(code)
    assert reason in str(err.value)


def test_every_single_character_change_is_caught():
    body = REAL[:17]
    check = credit_code_check_char(body)
    for i in range(17):
        for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if c != body[i]:
                assert credit_code_check_char(body[:i] + c + body[i + 1 :]) != check, (i, c)
