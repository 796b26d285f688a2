"""What makes a statement line the same line when a statement is imported again (银行流水指纹).
Pure.

- The bank's serial, when the export has one (with the line's date and amount, in case a bank
  numbers its transactions per day): the bank says which transaction it is.
- Else the date, the payer, the amount and the memo, **and the line's position among the lines
  of that statement that are identical in all four**. Two genuinely identical transfers on one
  day are then two lines (occurrence 0 and 1), while the same statement imported again — or a
  later export of a period that overlaps it by whole days — gives each the same fingerprint again.

Payer and memo are compared folded (full-width → half-width, spaces removed, case folded), so a
line exported again as CSV instead of .xlsx, or with its spacing changed, is still the same line.
A fingerprint is a SHA-256 in hex: fixed length, indexed, and it carries no personal data."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable

from services.billing.domain.statement import Line

SEPARATOR = "\x1f"  # the ASCII unit separator: never in a cell that was read as text


def folded(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def _digest(*parts: str) -> str:
    return hashlib.sha256(SEPARATOR.join(parts).encode("utf-8")).hexdigest()


def fingerprints(lines: Iterable[Line]) -> list[str]:
    """One fingerprint per line, in order (see the module's doc)."""
    occurrences: dict[tuple[str, str, str, str], int] = {}
    out = []
    for line in lines:
        day, amount = line.paid_on.isoformat(), str(line.amount_fen)
        serial = folded(line.serial)
        if serial:
            out.append(_digest("serial", serial, day, amount))
            continue
        same = (day, folded(line.payer), amount, folded(line.memo))
        position = occurrences.get(same, 0)
        occurrences[same] = position + 1
        out.append(_digest("line", *same, str(position)))
    return out


def fingerprinted(lines: list[Line]) -> list[Line]:
    """The lines, each with its fingerprint."""
    return [
        Line(x.row, x.paid_on, x.payer, x.amount_fen, x.memo, x.serial, f)
        for x, f in zip(lines, fingerprints(lines), strict=True)
    ]
