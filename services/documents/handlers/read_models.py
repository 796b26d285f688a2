"""Read models kept from other services' events: districts and unions (members), cover years,
submissions and batches (enrollment), and their prices (billing). Each fact recorded may complete
what a notice prints; then the notice is rendered.

Seam (handlers/__init__.py): `notices.render_submission_notice`, `notices.render_district_notice`,
`notices.withdraw_returned_notice` — render what a fact completes, supersede a returned one's."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC
from functools import wraps

from sqlalchemy import select

from common import facts as common_facts
from common.db import UoW
from common.readmodel import upsert_if_newer, upsert_many_if_newer
from services.documents.adapters.orm import BatchView, CoverYearView, DistrictView, SubmissionView, UnionView
from services.documents.domain import facts
from services.documents.handlers.notices import (
    render_district_notice,
    render_submission_notice,
    withdraw_returned_notice,
)


def consumes(func_):
    """A consumed event is checked against its schema version, then read into typed facts; one that
    breaks its contract can never succeed: common.facts.consumes dead-letters it with the reason,
    and nothing of it is written (the transaction rolls back)."""

    @wraps(func_)
    def checked(uow: UoW, event: dict) -> None:
        facts.check_schema(event)
        func_(uow, event)

    return common_facts.consumes(checked)


# ------------------------------------------------------------------ directory read model


@consumes
def record_district_when_district_changed(uow: UoW, event: dict) -> None:
    """Keep a district's name (members.district.*); then render any batch notice that waited for it."""
    d = event["data"]
    upsert_if_newer(
        uow.session,
        DistrictView,
        {"district_id": d["district_id"]},
        {k: d[k] for k in ("name", "kind", "special_industry", "version")},
    )
    for batch in uow.session.scalars(select(BatchView).where(BatchView.district_id == d["district_id"])):
        render_district_notice(uow, batch)


@consumes
def record_union_when_union_changed(uow: UoW, event: dict) -> None:
    """Keep a union's name (members.union.*: renames, contact changes, moves); then render any notice that
    waited for the union's name."""
    d = event["data"]
    upsert_if_newer(
        uow.session,
        UnionView,
        {"union_id": d["union_id"]},
        {k: d[k] for k in ("name", "credit_code", "district_id", "contact_person", "phone", "version")},
    )
    for row in uow.session.scalars(
        select(SubmissionView).where(SubmissionView.union_id == d["union_id"], SubmissionView.notice_key.is_(None))
    ):
        render_submission_notice(uow, row)


def _union_rows(event: dict) -> list[dict]:
    return common_facts.registered_unions(event["data"])


@consumes
def record_unions_when_registered(uow: UoW, event: dict) -> None:
    """Keep many new unions at once (members.unions.registered, a bulk load's): one upsert for
    the message's unions; then render any notice that waited for one of their names."""
    rows = _union_rows(event)
    upsert_many_if_newer(uow.session, UnionView, "union_id", rows)
    ids = [r["union_id"] for r in rows]
    for start in range(0, len(ids), 5_000):
        for row in uow.session.scalars(
            select(SubmissionView).where(
                SubmissionView.union_id.in_(ids[start : start + 5_000]), SubmissionView.notice_key.is_(None)
            )
        ):
            render_submission_notice(uow, row)


# ------------------------------------------------------------------ enrollment and billing facts


@consumes
def record_cover_year_when_configured(uow: UoW, event: dict) -> None:
    """Keep a cover year's dates (enrollment.cover_year.configured); then render the notices that waited
    for them."""
    year = facts.parse_cover_year(event["data"])
    values = asdict(year)
    if values["instant_payment_days"] is None:  # schema 1: the year keeps what it holds
        del values["instant_payment_days"]
    key = {"cover_year": values.pop("cover_year")}
    if not upsert_if_newer(uow.session, CoverYearView, key, values):
        return
    for row in uow.session.scalars(
        select(SubmissionView).where(SubmissionView.cover_year == year.cover_year, SubmissionView.notice_key.is_(None))
    ):
        render_submission_notice(uow, row)
    for batch in uow.session.scalars(select(BatchView).where(BatchView.cover_year == year.cover_year)):
        render_district_notice(uow, batch)


def _submission_row(
    uow, submission_id: int, union_id: int, district_id: int, cover_year: int, cover_type: str
) -> SubmissionView:
    row = uow.session.get(SubmissionView, submission_id, with_for_update=True)
    if row is None:
        row = SubmissionView(
            submission_id=submission_id,
            union_id=union_id,
            district_id=district_id,
            cover_year=cover_year,
            cover_type=cover_type,
            returned=False,
        )
        uow.session.add(row)
    return row


@consumes
def record_submission_when_submitted(uow: UoW, event: dict) -> None:
    """Keep enrollment's half of a submission (enrollment.submission.submitted); render its notice if complete."""
    sub = facts.parse_submission(event["data"])
    row = _submission_row(uow, sub.submission_id, sub.union_id, sub.district_id, sub.cover_year, sub.cover_type)
    row.submitted, row.sequence, row.returned = event["data"], sub.sequence, False
    if row.priced:
        facts.check_same_submission(sub, facts.parse_submission_price(row.priced))
    uow.session.flush()
    render_submission_notice(uow, row)


@consumes
def record_price_when_submission_priced(uow: UoW, event: dict) -> None:
    """Keep billing's half of a submission (billing.submission.priced); render its notice if complete."""
    price = facts.parse_submission_price(event["data"])
    row = _submission_row(
        uow, price.submission_id, price.union_id, price.district_id, price.cover_year, price.cover_type
    )
    row.priced, row.grassroots_owes_fen = event["data"], price.grassroots_owes_fen
    if row.submitted:
        facts.check_same_submission(facts.parse_submission(row.submitted), price)
    uow.session.flush()
    render_submission_notice(uow, row)


@consumes
def record_return_when_submission_returned(uow: UoW, event: dict) -> None:
    """Mark a submission returned (enrollment.submission.returned): it no longer counts towards what
    the union owes, and its notice is withdrawn at once (the versions stay downloadable by number)."""
    returned = facts.parse_returned(event["data"])
    row = uow.session.get(SubmissionView, returned.submission_id, with_for_update=True)
    if row is None or row.returned:
        return
    row.returned, row.return_reason = True, returned.reason
    if returned.returned_at is not None:
        row.returned_at = returned.returned_at.astimezone(UTC).replace(tzinfo=None)
    uow.session.flush()
    withdraw_returned_notice(uow, row)


def _batch_row(uow: UoW, batch_id: int, district_id: int, cover_year: int, batch_no: str) -> BatchView:
    row = uow.session.get(BatchView, batch_id, with_for_update=True)
    if row is None:
        row = BatchView(batch_id=batch_id, district_id=district_id, cover_year=cover_year, batch_no=batch_no)
        uow.session.add(row)
    return row


@consumes
def record_batch_when_submitted(uow: UoW, event: dict) -> None:
    """Keep enrollment's half of a batch (enrollment.batch.submitted); render its notice if complete."""
    batch = facts.parse_batch(event["data"])
    row = _batch_row(uow, batch.batch_id, batch.district_id, batch.cover_year, batch.batch_no)
    row.submitted = event["data"]
    if row.priced:
        facts.check_same_batch(batch, facts.parse_batch_price(row.priced))
    for sub in uow.session.scalars(
        select(SubmissionView).where(SubmissionView.submission_id.in_(batch.submission_ids))
    ):
        sub.batch_id, sub.batch_no = batch.batch_id, batch.batch_no
    uow.session.flush()
    render_district_notice(uow, row)


@consumes
def record_price_when_batch_priced(uow: UoW, event: dict) -> None:
    """Keep billing's half of a batch (billing.batch.priced); render its notice if complete."""
    price = facts.parse_batch_price(event["data"])
    row = _batch_row(uow, price.batch_id, price.district_id, price.cover_year, price.batch_no)
    row.priced = event["data"]
    if row.submitted:
        facts.check_same_batch(facts.parse_batch(row.submitted), price)
    uow.session.flush()
    render_district_notice(uow, row)
