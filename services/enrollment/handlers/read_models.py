"""Read models kept from other services' events: districts, unions, members (for eligibility),
rates, settlement credit, and billing's amounts of each submission."""

from __future__ import annotations

from common import clock, facts
from common.bus import PermanentFailure
from common.db import UoW
from common.facts import consumes
from common.readmodel import upsert_if_newer, upsert_many_if_newer
from services.enrollment.adapters import id_numbers
from services.enrollment.adapters.orm import CreditView, DistrictView, MemberMove, MemberView, Submission, UnionView
from services.enrollment.adapters.rows import parse_date, parse_datetime
from services.enrollment.domain.totals import PARTS


def record_district_when_district_changed(uow: UoW, event: dict) -> None:
    """Keep a district's name and kind (members.district.*)."""
    d = event["data"]
    upsert_if_newer(
        uow.session,
        DistrictView,
        {"district_id": d["district_id"]},
        {k: d[k] for k in ("name", "kind", "special_industry", "version")},
    )


def record_union_when_union_changed(uow: UoW, event: dict) -> None:
    """Keep a union's name and district (members.union.*: renames, contact changes, moves)."""
    d = event["data"]
    upsert_if_newer(
        uow.session,
        UnionView,
        {"union_id": d["union_id"]},
        {k: d[k] for k in ("name", "credit_code", "district_id", "contact_person", "phone", "version")},
    )


def _union_rows(event: dict) -> list[dict]:
    return facts.registered_unions(event["data"])


@consumes
def record_unions_when_registered(uow: UoW, event: dict) -> None:
    """Keep many new unions at once (members.unions.registered, a bulk load's): one upsert for
    the message's unions, each moving forward only (version), as one by one."""
    upsert_many_if_newer(uow.session, UnionView, "union_id", _union_rows(event))


MEMBER_EVENT_PREFIX = "members.member."
# the snapshots gathered from a delivery batch into one upsert: since a message carries up to
# 100 members (issue 30), a batch of 250 could otherwise make one statement of 25,000 rows
SNAPSHOTS_PER_STATEMENT = 5000


def member_snapshots(event: dict) -> list[dict]:
    """The member snapshots one members.member.* event carries: from schema version 2 a list of
    them (`data.members`, up to 100: an upload or an approval is a few messages, issue 30), before
    it one (`data` itself) — both read for one release, docs/events.md."""
    data = event.get("data")
    if int(event.get("schema_version") or 1) < 2:
        return [data] if isinstance(data, dict) else [{}]
    snapshots = data.get("members") if isinstance(data, dict) else None
    if not isinstance(snapshots, list) or not all(isinstance(s, dict) for s in snapshots):
        raise PermanentFailure("malformed member event: data.members is not a list of snapshots")
    return snapshots


def _member_row(d: dict) -> dict:
    try:
        return {
            "member_id": int(d["member_id"]),
            "union_id": d.get("union_id"),
            "district_id": d.get("district_id"),
            "name": d["name"],
            "id_type": d["id_type"],
            **id_numbers.from_snapshot(d),
            "member_no": d.get("member_no"),
            "status": d["status"],
            "card_number": d.get("card_number"),
            "card_issued_on": parse_date(d.get("card_issued_on")),
            "card_recorded_at": parse_datetime(d.get("card_recorded_at")),
            "removed": bool(d.get("removed", False)),
            "version": int(d["version"]),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"malformed member snapshot: {exc!r}") from exc


def _member_rows(event: dict) -> list[dict]:
    return [_member_row(d) for d in member_snapshots(event)]


def record_member_when_member_changed(uow: UoW, event: dict) -> None:
    """Keep members' snapshots (every members.member.* event, one member or many): the read model
    eligibility selects from.

    A consumer applies a batch of deliveries in one transaction (`uow.batch`): the first member
    event of the batch writes the snapshots of all of them in one statement (newest version per
    member wins, as one by one), the rest find theirs done. Each message stays its own inbox
    entry, so a redelivered one has no second effect; an event with a malformed snapshot is
    applied on its own turn, where it fails alone."""
    applied = uow.memo.setdefault("member_snapshots_applied", set())
    if event.get("id") in applied:
        return
    rows, ids = _member_rows(event), {event.get("id")}  # a malformed event fails on its own turn
    for other in getattr(uow, "batch", []):
        if len(rows) >= SNAPSHOTS_PER_STATEMENT:
            break  # the rest of the batch writes on its own turns: one statement stays bounded
        if (
            other.get("id") in applied
            or other.get("id") in ids
            or not str(other.get("type", "")).startswith(MEMBER_EVENT_PREFIX)
        ):
            continue
        try:
            rows.extend(_member_rows(other))
        except PermanentFailure:
            continue  # left for its own turn, which dead-letters it
        ids.add(other.get("id"))
    upsert_many_if_newer(uow.session, MemberView, "member_id", rows)
    moves = [row for moved in [event, *getattr(uow, "batch", [])] if moved.get("id") in ids for row in _moves(moved)]
    upsert_many_if_newer(uow.session, MemberMove, "member_id", moves)  # one statement, as the snapshots
    applied |= ids


MOVES = {"approved": "joined", "transferred_in": "moved_in", "transferred_out": "left"}


def _moves(event: dict) -> list[dict]:
    """The member moves an event tells (joined, moved in, left with its reason), on the day it
    happened (Asia/Shanghai): why a member is new to a union's list, or gone from it (decision
    0043). Written with the batch's snapshots in one upsert, newest version per member winning
    as one by one (decision 0049: one upsert per member was a third of the consumer's CPU)."""
    kind = MOVES.get(str(event.get("type", "")).removeprefix(MEMBER_EVENT_PREFIX))
    if kind is None:
        return []
    when = parse_datetime(event.get("occurred_at")) or clock.now()
    moved_on = when.astimezone(clock.SHANGHAI).date()
    return [
        {
            "member_id": int(d["member_id"]),
            "kind": kind,
            "union_id": d.get("previous_union_id") if kind == "left" else d.get("union_id"),
            "previous_union_id": d.get("previous_union_id") if kind == "moved_in" else None,
            "reason": d.get("reason") if kind == "left" else None,
            "moved_on": moved_on,
            "version": int(d["version"]),
        }
        for d in member_snapshots(event)  # one member (schema 1) or many (schema 2, decision 0044)
    ]


@consumes
def record_credit_when_credit_available(uow: UoW, event: dict) -> None:
    """Keep what settlement credit a district can still use against a year (billing.credit.available)."""
    d = event["data"]
    key = {"district_id": facts.integer(d, "district_id", 1), "cover_year": facts.integer(d, "cover_year", 2000)}
    values = {"available_fen": facts.integer(d, "available_fen"), "version": facts.integer(d, "version", 1)}
    upsert_if_newer(uow.session, CreditView, key, values)


def record_amounts_when_submission_priced(uow: UoW, event: dict) -> None:
    """Take billing's amounts of a submission (billing.submission.priced): billing's amounts become the submission's, shown on
    every screen of enrollment (no second computation here)."""
    d = event["data"]
    try:
        submission_id = int(d["submission_id"])
        amounts = {p: int(d[p]) for p in PARTS}
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"malformed submission.priced: {exc!r}") from exc
    sub = uow.session.get(Submission, submission_id, with_for_update=True)
    if sub is None:
        raise PermanentFailure(f"unknown submission {submission_id}")
    for part, fen in amounts.items():
        setattr(sub, part, fen)
    sub.pay_by = parse_date(d.get("pay_by"))
