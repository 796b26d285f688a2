"""The list of common passwords a new password may not be (common_passwords.txt beside this
file, read once a process)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

LIST = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
