"""核验参保凭证 at the gateway, with no I/O: how often one address may ask the public page
`/verify/<code>`, and which codes are worth asking documents about
(docs/decisions/0042-cover-certificates.md)."""

from __future__ import annotations

import re
from datetime import timedelta

# A hospital desk checks a few certificates an hour; a script guessing codes (140 bits: hopeless
# anyway) is slowed to a crawl. Every request counts, unknown codes too.
VERIFY_WINDOW = timedelta(minutes=10)
VERIFICATIONS_PER_ADDRESS = 30
_PLAUSIBLE = re.compile(r"^[A-Za-z2-7 \-]{1,64}$")


def may_verify(requests_in_window: int) -> bool:
    return requests_in_window < VERIFICATIONS_PER_ADDRESS


def plausible(code: str) -> bool:
    """Letters of the code's alphabet, spaces and dashes only: anything else is unknown at once
    (and never reaches a service's path)."""
    return bool(_PLAUSIBLE.match(code or ""))


def hint(code: str) -> str:
    """What the audit keeps of a code: its last four letters."""
    letters = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return "…" + letters[-4:] if letters else "（空）"
