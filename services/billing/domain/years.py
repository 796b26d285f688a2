"""Years side by side (历年对比): per cover year and type, headcount and premium of the batches
(集中参保 and 即时参保), and money received per year, each with its change from the year before.
Pure rules.

A batch that failed (逾期未缴费, billing's `overdue`) covered nobody: its people and premium are
not counted; money received is what arrived (已缴: matched or received at 核销), whatever the
batch's state, as the reconciliation counts it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.billing.domain.prices import COVER_TYPES


@dataclass(frozen=True)
class BatchFigures:
    cover_year: int
    failed: bool
    received_fen: int
    by_type: dict[str, tuple[int, int]] = field(default_factory=dict)  # type → (headcount, premium)


def _change(now: int, before: int | None) -> dict[str, Any]:
    if before is None:
        return {"change": None, "change_percent": None}
    percent = None if before == 0 else round((now - before) * 1000 / before) / 10
    return {"change": now - before, "change_percent": percent}


def side_by_side(batches: list[BatchFigures]) -> list[dict[str, Any]]:
    """One row per year with batches, oldest first: totals, per type, and the change from the
    year before (None for the first year shown)."""
    years: dict[int, dict[str, Any]] = {}
    for b in batches:
        y = years.setdefault(
            b.cover_year,
            {"headcount": 0, "premium_fen": 0, "received_fen": 0, "by_type": {t: [0, 0] for t in COVER_TYPES}},
        )
        y["received_fen"] += b.received_fen
        if b.failed:
            continue
        for cover_type, (headcount, premium) in b.by_type.items():
            cell = y["by_type"].setdefault(cover_type, [0, 0])
            cell[0] += headcount
            cell[1] += premium
            y["headcount"] += headcount
            y["premium_fen"] += premium
    rows: list[dict[str, Any]] = []
    before: dict[str, Any] | None = None
    for year in sorted(years):
        y = years[year]
        row: dict[str, Any] = {"cover_year": year, "types": []}
        for key in ("headcount", "premium_fen", "received_fen"):
            row[key] = y[key]
            row[f"{key}_change"] = _change(y[key], before[key] if before else None)
        for cover_type, (headcount, premium) in y["by_type"].items():
            last = before["by_type"].get(cover_type) if before else None
            row["types"].append(
                {
                    "type": cover_type,
                    "headcount": headcount,
                    "premium_fen": premium,
                    "headcount_change": _change(headcount, last[0] if last else None),
                    "premium_fen_change": _change(premium, last[1] if last else None),
                }
            )
        rows.append(row)
        before = y
    return rows
