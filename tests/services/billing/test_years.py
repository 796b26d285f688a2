"""历年对比 over billing's HTTP API: the batches of the scope per year and type, money received."""

from tests.services.billing.conftest import AVIATION, HUANGPU, U_AV, U_HP1, set_splits


def test_years_side_by_side_in_scope(billing):
    set_splits(billing)
    plus = billing.submit(U_HP1, HUANGPU, "A+", {"centralised": 3})
    billing.batch(HUANGPU, [(plus, U_HP1, "A+", {"centralised": 3})])
    av = billing.submit(U_AV, AVIATION, "A+", {"centralised": 2})
    billing.batch(AVIATION, [(av, U_AV, "A+", {"centralised": 2})])

    mine = billing.huangpu.get("/years")
    assert mine.status_code == 200, mine.text
    [row] = mine.get_json()["years"]
    assert (row["cover_year"], row["headcount"], row["premium_fen"], row["received_fen"]) == (2020, 3, 22800, 0)
    assert {t["type"]: t["headcount"] for t in row["types"]} == {"A": 0, "A+": 3, "B": 0, "B+": 0}
    city = billing.centre.get("/years").get_json()["years"]
    assert [(r["cover_year"], r["headcount"], r["premium_fen"]) for r in city] == [(2020, 5, 38000)]
    one = billing.centre.get(f"/years?district_id={AVIATION}").get_json()["years"]
    assert [(r["headcount"], r["premium_fen"]) for r in one] == [(2, 15200)]
    assert billing.grassroots.get("/years").status_code == 403
