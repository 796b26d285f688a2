"""历年对比 (services/billing/domain/years.py): per year and type, with the change from the year before."""

from services.billing.domain.years import BatchFigures, side_by_side


def test_years_side_by_side_with_the_change_and_failed_batches_not_counted():
    rows = side_by_side(
        [
            BatchFigures(2021, False, 15000, {"A+": (2, 15200), "A": (1, 2600)}),
            BatchFigures(2020, False, 18900, {"A+": (3, 22800)}),
            BatchFigures(2020, True, 0, {"A": (2, 5200)}),  # failed: covered nobody
            BatchFigures(2021, True, 1000, {"B": (4, 36000)}),  # failed, yet money did arrive
        ]
    )
    assert [r["cover_year"] for r in rows] == [2020, 2021]
    first, second = rows
    assert (first["headcount"], first["premium_fen"], first["received_fen"]) == (3, 22800, 18900)
    assert first["headcount_change"] == {"change": None, "change_percent": None}
    assert (second["headcount"], second["premium_fen"], second["received_fen"]) == (3, 17800, 16000)
    assert second["headcount_change"] == {"change": 0, "change_percent": 0.0}
    assert second["premium_fen_change"] == {"change": -5000, "change_percent": -21.9}
    types = {t["type"]: t for t in second["types"]}
    assert types["A+"]["headcount_change"] == {"change": -1, "change_percent": -33.3}
    assert types["A"]["headcount_change"] == {"change": 1, "change_percent": None}  # none the year before
    assert types["B"]["headcount"] == 0
