"""Money is integer fen end to end. Parsing refuses floats, more than two decimals and
anything that is not a plain number; formatting prints yuan with two decimals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from common.errors import ValidationFailed


def parse_yuan(value: object, field: str = "amount", allow_negative: bool = False) -> int:
    """'12.5' / 12 / Decimal('0.01') -> fen. Floats are refused: they cannot say 0.1 exactly."""
    if isinstance(value, (bool, float)):
        raise ValidationFailed({field: ['金额须以字符串或整数给出，例如 "26.00"']})
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field: ["金额不是有效的数字"]}) from None
    if not amount.is_finite():
        raise ValidationFailed({field: ["金额不是有效的数字"]})
    exponent = amount.as_tuple().exponent  # an int once the amount is finite
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationFailed({field: ["金额最多保留两位小数"]})
    if amount < 0 and not allow_negative:
        raise ValidationFailed({field: ["金额不能为负数"]})
    return int(amount * 100)


def yuan(fen: int) -> str:
    """1300 -> '13.00'."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"
