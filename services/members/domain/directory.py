"""The union directory (工会名录): district/industry unions (区局/产业工会) and grassroots unions
(基层工会). Pure rules, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

# GB 32100-2015: the 18-character unified social credit code (统一社会信用代码).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
DISTRICT_KINDS = ("district", "industry")  # 区局工会 / 产业工会

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")


class CreditCodeInvalid(ValueError):
    """The message says what is wrong, in Chinese, for the clerk."""


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=False))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(raw: str) -> str:
    """Return the code upper-cased and trimmed, or raise CreditCodeInvalid with the reason."""
    code = (raw or "").strip().upper().translate(_FULL_WIDTH)
    if len(code) != 18:
        raise CreditCodeInvalid(f"统一社会信用代码应为 18 位，当前为 {len(code)} 位")
    bad = [c for c in code if c not in CREDIT_CODE_ALPHABET]
    if bad:
        raise CreditCodeInvalid(
            f"统一社会信用代码含有不允许的字符：{''.join(dict.fromkeys(bad))}（不使用 I、O、Z、S、V）"
        )
    if not code[2:8].isdigit():
        raise CreditCodeInvalid("统一社会信用代码第 3–8 位应为行政区划代码（数字）")
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise CreditCodeInvalid("统一社会信用代码校验位不正确，请核对")
    return code


def normalise_phone(raw: str) -> str | None:
    """A mobile (11 digits) or a landline (with or without area code and extension); None if neither."""
    phone = (raw or "").strip().translate(_FULL_WIDTH).replace(" ", "")
    if _MOBILE.match(phone) or _LANDLINE.match(phone):
        return phone
    return None


@dataclass(frozen=True)
class UnionFacts:
    """What other services are told about a grassroots union (state-carried, with a version so a
    late or reordered event never overwrites a newer one)."""

    union_id: int
    name: str
    credit_code: str
    district_id: int
    contact_person: str
    phone: str
    version: int
