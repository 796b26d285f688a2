"""Real concurrency on PostgreSQL: one cover per member per cover year whatever races, and batch
numbers unique and gap-free per day."""

import threading

from tests.services.enrollment.conftest import HANDLER, UNION, UNION2, YEAR, at


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_submissions_never_cover_a_member_twice(season):
    at("2020-01-02T10:00:00")
    season.members(range(401, 601), card_issued_on="2020-01-01")

    def instant(ids=None):
        body = {"cover_year": YEAR, "type": "A", "mode": "instant", "kind": "new_card"}
        if ids:
            body["member_ids"] = ids
        return lambda: season.grassroots.post("/submissions", json=body)

    results = _race([instant(), instant(), instant(list(range(401, 451))), instant()])
    codes = sorted(r.status_code for r in results)
    assert 201 in codes and set(codes) <= {201, 409, 422}, [r.get_json() for r in results]
    assert (
        season.count("""SELECT count(*) FROM (SELECT member_id FROM cover WHERE status IN ('pending','granted')
                           GROUP BY cover_year, member_id HAVING count(*) > 1) d""")
        == 0
    )
    assert season.count("SELECT count(*) FROM cover WHERE member_id BETWEEN 401 AND 600") == 200
    assert season.count("SELECT coalesce(sum(headcount), 0) FROM submission WHERE mode = 'instant'") == 200


def test_concurrent_centralised_submissions_of_one_union(season):
    season.members(range(1, 2001))
    results = _race(
        [lambda: season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"}) for _ in range(4)]
    )
    assert sorted(r.status_code for r in results).count(201) >= 1
    assert season.count("SELECT count(DISTINCT member_id) FROM cover") == 2000
    assert season.count("SELECT count(*) FROM cover") == 2000
    assert season.count("SELECT sum(headcount) FROM submission") == 2000


def test_the_database_itself_refuses_a_second_active_cover(season):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    season.members([1])
    sub = season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "A"}).get_json()
    with pytest.raises(IntegrityError), season.svc.runtime.engine.begin() as conn:
        conn.execute(
            text("""INSERT INTO cover (cover_year, member_id, submission_id, union_id, status, name,
                id_type, id_sealed, id_index, id_masked, card_number, cover_start, cover_end, price_class) VALUES
                (:y, 1, :s, :u, 'granted', 'x', 'resident', 'x', 'x', 'x', 'x', '2020-01-01', '2020-12-31',
                 'centralised')"""),
            {"y": YEAR, "s": sub["id"], "u": UNION},
        )


def test_batch_numbers_are_unique_and_gap_free_under_concurrent_district_submissions(season):
    districts = list(range(500, 512))
    for d in districts:
        union_id = d * 10
        season.feed(
            "members.union.registered",
            {
                "union_id": union_id,
                "name": f"工会{d}",
                "credit_code": f"C{d}",
                "district_id": d,
                "contact_person": "x",
                "phone": "13800000000",
                "version": 1,
            },
        )
        season.member(d, union_id=union_id, district_id=d)
        client = season.svc.as_("grassroots", union_id=union_id, district_id=d)
        sub = client.post("/submissions", json={"cover_year": YEAR, "type": "A"}).get_json()
        assert (
            season.svc.as_("district", district_id=d).post(f"/submissions/{sub['id']}/stage", json={}).status_code
            == 200
        )
    at("2019-12-31T23:00:00")
    results = _race(
        [
            (
                lambda d=d: season.svc.as_("district", district_id=d).post(
                    "/batches", json={"cover_year": YEAR, "handler": HANDLER}
                )
            )
            for d in districts
        ]
    )
    assert all(r.status_code == 201 for r in results), [r.get_json() for r in results]
    numbers = sorted(r.get_json()["batch_no"] for r in results)
    assert numbers == [f"CB20191231{i:04d}" for i in range(1, len(districts) + 1)]


def test_a_submission_racing_another_cover_of_the_same_member_loses_whole(season):
    """Union 2's enrolment of member 1 is in flight (uncommitted) when union 1, which now holds the
    member, submits: union 1's INSERT waits on the unique index, then fails as a whole."""
    import time

    from sqlalchemy import text

    season.member(99, union_id=UNION2)
    other = season.grassroots2.post("/submissions", json={"cover_year": YEAR, "type": "A"}).get_json()
    season.members([1, 2])
    conn = season.svc.runtime.engine.connect()
    tx = conn.begin()
    conn.execute(
        text("""INSERT INTO cover (cover_year, member_id, submission_id, union_id, status, name, id_type,
        id_sealed, id_index, id_masked, card_number, cover_start, cover_end, price_class) VALUES
        (:y, 1, :s, :u, 'pending', 'x', 'resident', 'x', 'x', 'x', 'x', '2020-01-01', '2020-12-31', 'centralised')"""),
        {"y": YEAR, "s": other["id"], "u": 102},
    )
    result = {}
    worker = threading.Thread(
        target=lambda: result.setdefault(
            "r", season.grassroots.post("/submissions", json={"cover_year": YEAR, "type": "B"})
        )
    )
    worker.start()
    time.sleep(1.0)
    assert worker.is_alive()  # blocked on the unique index
    tx.commit()
    conn.close()
    worker.join()
    response = result["r"]
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "ALREADY_COVERED_CONCURRENTLY"
    assert season.count("SELECT count(*) FROM cover WHERE member_id = 2") == 0
    assert season.count("SELECT count(*) FROM submission WHERE union_id = :u", u=UNION) == 0
    assert season.count("SELECT count(*) FROM type_choice WHERE union_id = :u", u=UNION) == 0
    assert season.events("enrollment.submission.submitted")[-1]["data"]["union_id"] == 102
