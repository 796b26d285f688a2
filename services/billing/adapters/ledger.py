"""Rows billing writes behind: ledger lines (台账) and priced submissions, held by the unit of work
(`UnitOfWork.hold`, written together before the transaction commits or runs any other statement);
and what a consumer's whole batch of deliveries asks at once (`uow.memo`): whether a submission is
priced already, what a union owes for the year so far."""

from __future__ import annotations

from sqlalchemy import func, select

from common import clock
from services.billing.adapters.orm import LedgerEntry, PricedSubmission

SUBMITTED = "enrollment.submission.submitted"


LEDGER_COLUMNS = [c.name for c in LedgerEntry.__table__.columns if c.name != "id"]
SUBMISSION_COLUMNS = [c.name for c in PricedSubmission.__table__.columns]


def hold_priced_submission(uow, **values) -> None:
    """A priced submission, held and written with the transaction's other rows; every column given."""
    unknown = set(values) ^ set(SUBMISSION_COLUMNS)
    if unknown:
        raise TypeError(f"not exactly the submission columns: {sorted(unknown)}")
    uow.hold(PricedSubmission.__table__, values)


def record_in_ledger(uow, by: str, **values) -> None:
    """One ledger line; `by` is the user, or the event that caused it. Held and written with the
    transaction's other lines (`UnitOfWork.hold`): a consumer pricing a batch of submissions does not
    insert and read back an id per line."""
    unknown = set(values) - set(LEDGER_COLUMNS)
    if unknown:
        raise TypeError(f"not ledger columns: {sorted(unknown)}")
    uow.hold(
        LedgerEntry.__table__,
        {**dict.fromkeys(LEDGER_COLUMNS), "at": clock.utcnow_naive(), "recorded_by": by[:120], **values},
    )


def by_event(delivered: dict) -> str:
    """Who recorded a line a consumed event caused: the event's type and id."""
    return f"{delivered.get('type', '')} {delivered.get('id', '')}"


def already_priced(uow, submission_id: int) -> bool:
    """Whether billing holds this submission already (an event sent twice under another id). A
    consumer applies a batch of deliveries in one transaction: the submissions of the whole
    batch are looked up in one query, not one query each (issue 16: pricing 10,000 submissions)."""
    memo = uow.memo.get("billing_priced")
    if memo is None or submission_id not in memo[0]:
        asked = {submission_id} | {
            int(e["data"]["submission_id"])
            for e in getattr(uow, "batch", [])
            if e.get("type") == SUBMITTED and "submission_id" in e.get("data", {})
        }
        with uow.session.no_autoflush:  # what this batch added is flushed at commit, together
            found = set(
                uow.session.scalars(
                    select(PricedSubmission.submission_id).where(PricedSubmission.submission_id.in_(asked))
                )
            )
        found |= {row["submission_id"] for row in uow.held(PricedSubmission.__table__)}
        memo = uow.memo["billing_priced"] = (asked, found)
    asked, found = memo
    if submission_id in found:
        return True
    found.add(submission_id)  # priced now, by the caller: a second event for it in this batch is a duplicate
    return False


def union_owed_to_date(uow, union_id: int, year: int, owes_now_fen: int) -> int:
    """年度累计: what a union owes its district for the year's centralised submissions still priced
    (not returned), this one's `owes_now_fen` included — the one sum of it (the grassroots notice
    prints it from `billing.submission.priced`). A consumer's batch of deliveries asks once for
    every union in it; then each priced submission adds to its union's running total."""
    memo = uow.memo.setdefault("billing_union_owed", {})
    if (union_id, year) not in memo:
        asked = {(union_id, year)} | {
            (int(e["data"]["union_id"]), int(e["data"]["cover_year"]))
            for e in getattr(uow, "batch", [])
            if e.get("type") == SUBMITTED and "union_id" in e.get("data", {}) and "cover_year" in e.get("data", {})
        }
        asked -= set(memo)
        unions = {u for u, _ in asked}
        found = dict.fromkeys(asked, 0)
        with uow.session.no_autoflush:
            for u, y, owed in uow.session.execute(
                select(
                    PricedSubmission.union_id,
                    PricedSubmission.cover_year,
                    func.sum(PricedSubmission.grassroots_share_fen),
                )
                .where(
                    PricedSubmission.union_id.in_(unions),
                    PricedSubmission.mode == "centralised",
                    PricedSubmission.status == "priced",
                )
                .group_by(PricedSubmission.union_id, PricedSubmission.cover_year)
            ):
                if (u, y) in found:
                    found[(u, y)] = int(owed)
        for row in uow.held(PricedSubmission.__table__):
            key = (row["union_id"], row["cover_year"])
            if key in found and row["mode"] == "centralised" and row["status"] == "priced":
                found[key] += row["grassroots_share_fen"]
        memo.update(found)
    memo[(union_id, year)] += owes_now_fen
    return memo[(union_id, year)]


def forget_union_owed(uow, union_id: int, year: int) -> None:
    """A submission of the union was returned: its running total is read afresh when next asked."""
    uow.memo.get("billing_union_owed", {}).pop((union_id, year), None)
