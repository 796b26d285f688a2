"""Member service cards (会员服务卡): what a card number and its issue date must be. Pure: the
caller brings today's date."""

from __future__ import annotations

import re
from datetime import date

from services.members.domain.idcard import clean

CARD_NUMBER = re.compile(r"^\d{12,19}$")  # anchored, no alternation: linear in the (short) input


def check_card(card_number: object, issued_on: date | None, today: date) -> tuple[str, list[tuple[str, str]]]:
    """The card number cleaned, and its problems as (field, message)."""
    number = clean(card_number or "")
    problems = []
    if not CARD_NUMBER.match(number):
        problems.append(("card_number", "卡号应为 12–19 位数字"))
    if issued_on is None:
        problems.append(("issued_on", "此项必填"))
    elif issued_on > today:
        problems.append(("issued_on", "办卡日期不能晚于今天"))
    return number, problems
