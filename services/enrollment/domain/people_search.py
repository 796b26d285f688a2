"""What a clerk's search among a submission's people (参保提交详情) can mean: a name's beginning,
a whole ID number, or an ID number's last four characters. ID numbers are kept sealed (issue 14),
so no other part of one can be matched: a whole number is compared by its blind index, the last
four by the masked form every row keeps (3101**********1234)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from common.resident_id import IdNumberInvalid, clean, parse_resident_id

_LAST4 = re.compile(r"^[0-9A-Z]{4}$")
# other ID types (护照、港澳通行证 …) are up to 30 letters and digits, as members normalises them
_WHOLE = re.compile(r"^[0-9A-Z]{5,30}$")

HINT = "姓名（开头）、完整证件号码或证件号码末 4 位"


@dataclass(frozen=True)
class NumberAsked:
    whole: str | None  # the text as a whole ID number, normalised as members stores it
    last4: str | None  # the text as the last four characters of one


def id_number_asked(text: str, today: date) -> NumberAsked:
    cleaned = clean(text)
    whole = None
    if _WHOLE.match(cleaned):
        try:
            whole = parse_resident_id(cleaned, today).number  # an old 15-digit number becomes its 18
        except IdNumberInvalid:
            whole = cleaned  # another ID type, or no number at all: then it matches nobody
    return NumberAsked(whole, cleaned if _LAST4.match(cleaned) else None)
