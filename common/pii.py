"""Masking personal information in answers (PIPL art. 28, 51): resident ID numbers, bank card
numbers and mobiles are shown in full only where a person in scope needs them (a member's own
detail, an audited reveal); everywhere else masked the same way on every service."""

from __future__ import annotations

from typing import overload


@overload
def mask_id(number: str) -> str: ...
@overload
def mask_id(number: None) -> None: ...
def mask_id(number: str | None) -> str | None:
    """3101**********1234: the first four and last four characters (an ID or a card number)."""
    if not number:
        return number
    if len(number) <= 8:
        return number[:2] + "*" * (len(number) - 2)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


@overload
def mask_mobile(mobile: str) -> str: ...
@overload
def mask_mobile(mobile: None) -> None: ...
def mask_mobile(mobile: str | None) -> str | None:
    """138****1234."""
    if not mobile:
        return mobile
    if len(mobile) < 7:
        return "*" * len(mobile)
    return mobile[:3] + "*" * (len(mobile) - 7) + mobile[-4:]
