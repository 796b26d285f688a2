"""The season's checker (issue 16): after a season — with or without faults — every invariant
that spans services, read from each service's own database and from the broker, printed as
expected / found / lost / doubled. Exits 1 on any loss or doubling.

    .venv/bin/python -m bench.season_check [--year 2020] [--explained EVENT_ID …]

It reads the same settings as the services (`<SERVICE>_DATABASE_URL`, `BUS_*`), so run it with
the environment the system ran with; `bench.season` and tests/integration/test_season_faults.py
call `check()` directly.

Invariants:
- members ↔ enrollment's member read model: every member's union, status, removal and card as
  members has them (a member missing or stale there is *lost*; one there but not in members, or
  with facts members never had, is *doubled*);
- the directory (districts, unions) ↔ each read model of it (enrollment, billing, documents);
- one active cover per member and year; every member eligible for the year covered once;
- each submission's headcount = its covers = billing's headcount; each batch's headcount = the sum
  of its submissions = billing's;
- billing: premium = city subsidy + district share + grassroots share, per submission and per
  batch total (and the batch's total = the sum of its submissions);
- documents: each submission's and batch's figures as billing priced them, and a notice for each;
- every outbox drained; every dead-letter queue empty or holding only explained messages.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text

from common.config import BusSettings

PARTS = ("premium_fen", "city_subsidy_fen", "district_share_fen", "grassroots_share_fen")


@dataclass
class Row:
    invariant: str
    expected: int
    found: int
    lost: int = 0
    doubled: int = 0
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, invariant: str, expected: int, found: int, lost: int = 0, doubled: int = 0, note: str = "") -> None:
        self.rows.append(Row(invariant, expected, found, lost, doubled, note))

    def compare(self, invariant: str, expected: dict, found: dict, note: str = "") -> None:
        """Two keyed collections: a key missing or different in `found` is lost; a key in `found`
        only (or found with other facts) is doubled."""
        lost = sum(1 for k, v in expected.items() if found.get(k) != v)
        doubled = sum(1 for k, v in found.items() if k not in expected)
        self.add(invariant, len(expected), len(found), lost, doubled, note)

    @property
    def lost(self) -> int:
        return sum(r.lost for r in self.rows)

    @property
    def doubled(self) -> int:
        return sum(r.doubled for r in self.rows)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.doubled == 0

    def table(self) -> str:
        width = max(len(r.invariant) for r in self.rows) if self.rows else 10
        lines = [f"  {'invariant':<{width}s} {'expected':>10s} {'found':>10s} {'lost':>6s} {'doubled':>7s}"]
        for r in self.rows:
            mark = "" if not (r.lost or r.doubled) else "  <-- "
            lines.append(
                f"  {r.invariant:<{width}s} {r.expected:>10d} {r.found:>10d} {r.lost:>6d} {r.doubled:>7d}"
                f"{mark}{'  ' + r.note if r.note else ''}"
            )
        lines.append(
            f"  {'total':<{width}s} {'':>10s} {'':>10s} {self.lost:>6d} {self.doubled:>7d}"
            f"   → {'OK: nothing lost, nothing doubled' if self.ok else 'FAILED'}"
        )
        return "\n".join(lines)


def _rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def _scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def dead_letters(settings: BusSettings) -> dict[str, list[dict]]:
    """Every consumer's dead-letter queue and what it holds (listing requeues: it changes nothing)."""
    from common.dlq import list_dead_letters
    from deploy.topology import all_subscriptions

    out = {}
    for sub in all_subscriptions():
        short = f"{sub.service}.{sub.consumer}"
        out[short] = list_dead_letters(short, settings)
    return out


def check(
    urls: dict[str, str],
    settings: BusSettings | None,
    year: int = 2020,
    explained: set[str] = frozenset(),
    eligible_by: str = "2019-12-31",
) -> Report:
    """`urls`: component → SQLAlchemy URL (members, enrollment, billing, documents)."""
    engines = {name: create_engine(url) for name, url in urls.items()}
    members, enrollment, billing, documents = (engines[n] for n in ("members", "enrollment", "billing", "documents"))
    report = Report()
    try:
        # ---- members ↔ enrollment's member read model
        truth = {
            r[0]: tuple(r[1:])
            for r in _rows(
                members,
                """
            SELECT m.id, m.union_id, u.district_id, m.status, m.removed, m.card_number, m.card_issued_on
            FROM members m LEFT JOIN unions u ON u.id = m.union_id""",
            )
        }
        view = {
            r[0]: tuple(r[1:])
            for r in _rows(
                enrollment,
                """
            SELECT member_id, union_id, district_id, status, removed, card_number, card_issued_on FROM member_view""",
            )
        }
        report.compare("members = enrollment.member_view (union, status, card)", truth, view)

        # ---- the directory ↔ each read model of it
        districts = {
            r[0]: (r[1], bool(r[2])) for r in _rows(members, "SELECT id, name, special_industry FROM districts")
        }
        unions = {r[0]: (r[1], r[2]) for r in _rows(members, "SELECT id, name, district_id FROM unions")}
        for name, engine in (("enrollment", enrollment), ("billing", billing), ("documents", documents)):
            found = {
                r[0]: (r[1], bool(r[2]))
                for r in _rows(engine, "SELECT district_id, name, special_industry FROM district_view")
            }
            report.compare(f"districts = {name}.district_view", districts, found)
            found = {r[0]: (r[1], r[2]) for r in _rows(engine, "SELECT union_id, name, district_id FROM union_view")}
            report.compare(f"unions = {name}.union_view", unions, found)

        # ---- one cover per member-year; every eligible member covered once
        active = Counter(
            r[0]
            for r in _rows(
                enrollment,
                """
            SELECT member_id FROM cover WHERE cover_year = :y AND status IN ('pending', 'granted')""",
                y=year,
            )
        )
        eligible = {
            r[0]
            for r in _rows(
                members,
                """
            SELECT id FROM members WHERE status = 'normal' AND NOT removed AND union_id IS NOT NULL
              AND card_number IS NOT NULL AND card_issued_on <= :by""",
                by=eligible_by,
            )
        }
        report.add(
            f"one active cover per eligible member, {year}",
            len(eligible),
            len(active),
            lost=len(eligible - set(active)),
            doubled=sum(n - 1 for n in active.values() if n > 1) + len(set(active) - eligible),
        )

        # ---- submissions: headcount = covers = billing's
        subs = {
            r[0]: r[1:]
            for r in _rows(
                enrollment,
                """
            SELECT s.id, s.headcount, s.status, (SELECT count(*) FROM cover c WHERE c.submission_id = s.id
              AND c.status <> 'returned') FROM submission s WHERE s.cover_year = :y""",
                y=year,
            )
        }
        live = {k: v for k, v in subs.items() if v[1] != "returned"}
        report.add(
            "submission headcount = its covers",
            sum(v[0] for v in live.values()),
            sum(v[2] for v in live.values()),
            lost=sum(1 for v in live.values() if v[2] < v[0]),
            doubled=sum(1 for v in live.values() if v[2] > v[0]),
        )
        priced = {
            r[0]: r[1:]
            for r in _rows(
                billing,
                f"""
            SELECT submission_id, headcount, status, {", ".join(PARTS)} FROM submissions WHERE cover_year = :y""",
                y=year,
            )
        }
        report.compare(
            "enrollment submissions = billing's (headcount, returned)",
            {k: (v[0], v[1] == "returned") for k, v in subs.items()},
            {k: (v[0], v[1] == "returned") for k, v in priced.items()},
        )
        bad_rows = [k for k, v in priced.items() if v[2] != v[3] + v[4] + v[5]]
        report.add(
            "billing: premium = subsidy + district + grassroots, per submission",
            len(priced),
            len(priced) - len(bad_rows),
            lost=len(bad_rows),
        )
        totals = [sum(v[i] for v in priced.values() if v[1] != "returned") for i in range(2, 6)]
        report.add(
            "billing: the same, over all submissions (yuan)",
            totals[0] // 100,
            (totals[1] + totals[2] + totals[3]) // 100,
            lost=int(totals[0] != totals[1] + totals[2] + totals[3]),
        )
        enrollment_figures = {
            r[0]: tuple(r[1:])
            for r in _rows(
                enrollment,
                f"""
            SELECT id, {", ".join(PARTS)} FROM submission WHERE cover_year = :y AND status <> 'returned'""",
                y=year,
            )
        }
        report.compare(
            "enrollment shows billing's figures per submission",
            {k: tuple(v[2:]) for k, v in priced.items() if k in enrollment_figures},
            enrollment_figures,
        )

        # ---- batches: headcount = sum of its submissions = billing's; total = sum of rows
        batches = {
            r[0]: r[1:]
            for r in _rows(
                enrollment,
                """
            SELECT b.id, b.headcount, (SELECT coalesce(sum(s.headcount), 0) FROM submission s WHERE s.batch_id = b.id),
                   b.premium_fen, b.union_share_fen, b.due_fen FROM batch b WHERE b.cover_year = :y""",
                y=year,
            )
        }
        report.add(
            "batch headcount = sum of its submissions",
            sum(v[0] for v in batches.values()),
            sum(v[1] for v in batches.values()),
            lost=sum(1 for v in batches.values() if v[1] < v[0]),
            doubled=sum(1 for v in batches.values() if v[1] > v[0]),
        )
        billed = {
            r[0]: r[1:]
            for r in _rows(
                billing,
                """
            SELECT batch_id, headcount, submission_ids, premium_fen, city_subsidy_fen, union_share_fen, due_fen
            FROM batches WHERE cover_year = :y""",
                y=year,
            )
        }
        report.compare(
            "enrollment batches = billing's (headcount, premium, union share, due)",
            {k: (v[0], v[2], v[3], v[4]) for k, v in batches.items()},
            {k: (v[0], v[2], v[4], v[5]) for k, v in billed.items()},
        )
        wrong = 0
        for batch_id, (_, sub_ids, premium, city, union_share, _) in billed.items():
            rows = [priced[s] for s in json.loads(sub_ids) if s in priced]
            if (
                sum(r[2] for r in rows) != premium
                or sum(r[3] for r in rows) != city
                or sum(r[4] + r[5] for r in rows) != union_share
                or premium != city + union_share
            ):
                wrong += 1
        report.add(
            "billing: batch = sum of its submissions, premium = subsidy + union share",
            len(billed),
            len(billed) - wrong,
            lost=wrong,
        )

        # ---- documents: billing's figures, and a notice each
        doc_subs = {
            r[0]: r[1:]
            for r in _rows(
                documents,
                """
            SELECT submission_id, priced, returned, notice_key FROM submission_view WHERE cover_year = :y""",
                y=year,
            )
        }
        expected = {k: tuple(v[2:]) for k, v in priced.items() if v[1] != "returned"}
        found = {}
        for k, (figures, returned, _) in doc_subs.items():
            if figures and not returned:
                figures = json.loads(figures) if isinstance(figures, str) else figures
                found[k] = tuple(figures.get(p) for p in PARTS)
        report.compare("documents.submission_view figures = billing's", expected, found)
        noticed = {
            r[0]
            for r in _rows(
                documents,
                "SELECT DISTINCT union_id FROM documents WHERE kind = 'grassroots_notice' AND cover_year = :y",
                y=year,
            )
        }
        unions_priced = {
            r[0]
            for r in _rows(
                billing,
                "SELECT DISTINCT union_id FROM submissions WHERE cover_year = :y "
                "AND status <> 'returned' AND mode = 'centralised'",
                y=year,
            )
        }
        report.add(
            "a grassroots notice for every union priced (centralised)",
            len(unions_priced),
            len(noticed & unions_priced),
            lost=len(unions_priced - noticed),
        )
        doc_batches = {}
        for batch_id, figures in _rows(
            documents, "SELECT batch_id, priced FROM batch_view WHERE cover_year = :y", y=year
        ):
            if figures:
                figures = json.loads(figures) if isinstance(figures, str) else figures
                doc_batches[batch_id] = (
                    figures.get("premium_fen"),
                    figures.get("union_share_fen"),
                    figures.get("due_fen"),
                )
        report.compare(
            "documents.batch_view figures = billing's", {k: (v[2], v[4], v[5]) for k, v in billed.items()}, doc_batches
        )
        batch_notices = {
            int(r[0].split(":")[1])
            for r in _rows(
                documents,
                "SELECT DISTINCT subject FROM documents WHERE kind = 'district_notice' AND cover_year = :y",
                y=year,
            )
        }
        centralised = {
            r[0]
            for r in _rows(
                billing, "SELECT batch_id FROM batches WHERE cover_year = :y AND mode = 'centralised'", y=year
            )
        }
        report.add(
            "a district notice for every batch (centralised)",
            len(centralised),
            len(batch_notices & centralised),
            lost=len(centralised - batch_notices),
            doubled=len(batch_notices - centralised),
        )

        # ---- outboxes drained
        for name, engine in engines.items():
            unsent = _scalar(engine, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            total = _scalar(engine, "SELECT count(*) FROM outbox")
            report.add(f"{name} outbox drained", total, total - unsent, lost=unsent, note="(unsent = lost)")
    finally:
        for engine in engines.values():
            engine.dispose()

    # ---- dead-letter queues: empty, or only what the season explains
    if settings is not None and settings.is_amqp:
        for queue, held in dead_letters(settings).items():
            unexplained = [m for m in held if m.get("event_id") not in explained]
            note = "; ".join(f"{m['type']} {m['reason']}" for m in unexplained[:3])
            report.add(
                f"dead letters {queue}", len(held) - len(unexplained), len(held), lost=len(unexplained), note=note
            )
    return report


def main(argv=None) -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--explained", nargs="*", default=[], help="event ids whose dead letters are expected")
    args = parser.parse_args(argv)
    urls = {
        name: os.environ[f"{name.upper()}_DATABASE_URL"] for name in ("members", "enrollment", "billing", "documents")
    }
    report = check(urls, BusSettings(), args.year, set(args.explained))
    print(report.table())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
