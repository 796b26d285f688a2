"""The season with every fault (issue 16), small: 20 unions × 200 members in 4 districts, through
the gateway, every process real, on a private 3-node RabbitMQ cluster (quorum queues) and
PostgreSQL — RabbitMQ stopped and started again, each worker SIGKILLed (the supervisor restarts
them), the members web process SIGKILLed during an import, every event of the submissions and
reviews delivered twice, one node stopped and rejoined, a poison message dead-lettered and
replayed. The checker (bench/season_check.py) must then find nothing lost and nothing doubled.
The full size runs in `make bench` (python -m bench.season)."""

from __future__ import annotations

from bench import season as bench_season


def test_a_small_season_with_every_fault_loses_and_doubles_nothing():
    args = bench_season.parse_args(
        ["--unions", "20", "--members", "200", "--districts", "4", "--clients", "4", "--faults", "all", "--outage", "8"]
    )
    season = bench_season.run(args, args.broker)
    report = season.report
    assert report.ok, "\n" + report.table()
    by_name = {row.invariant: row for row in report.rows}
    # the season did what it says: 4,000 members covered once, batches of every district, the
    # failed district's members enrolled again at once, notices for every centralised batch
    assert by_name["one active cover per eligible member, 2020"].expected == 20 * 200
    assert by_name["one active cover per eligible member, 2020"].found == 20 * 200
    assert by_name["a district notice for every batch (centralised)"].expected == 4
    assert by_name["dead letters enrollment.billing"].found == 0  # the poison was replayed and applied
    notes = "\n".join(season.notes)
    for fault in (
        "every RabbitMQ node stopped",
        "SIGKILL members-worker",
        "SIGKILL enrollment-worker",
        "SIGKILL billing-worker",
        "SIGKILL documents-worker",
        "SIGKILL billing-overdue",
        "SIGKILL members web",
        "delivered a second time",
        "node 1 rejoined",
        "poison replayed",
    ):
        assert fault in notes, f"fault not exercised: {fault}\n{notes}"
    # the confirmation list says when it is behind members, and that it is not once caught up
    assert "members_behind=false once caught up" in notes, notes
    for worker in ("members-worker", "enrollment-worker", "billing-worker", "documents-worker"):
        assert f"{worker} restarted" in notes, notes
