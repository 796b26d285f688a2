"""How the benchmarks print repeated figures: the spread (min / median / max), never the best run
alone, and the machine's load beside it (the machine is shared; figures move with its load)."""

from __future__ import annotations

import os
import statistics


def spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    if len(values) == 1:
        return f"{values[0]:6.{digits}f} {unit}"
    return f"{min(values):6.{digits}f} / {statistics.median(values):6.{digits}f} / {max(values):6.{digits}f} {unit}"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"
