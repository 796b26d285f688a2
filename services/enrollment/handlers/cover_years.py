"""Cover years (保障年度): the centre configures a year's timeline; everyone reads it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common import clock
from common.db import UoW
from common.errors import Conflict
from common.identity import Identity
from services.enrollment import contracts
from services.enrollment.adapters import queries
from services.enrollment.adapters.orm import CoverYearRow
from services.enrollment.domain.next_year import propose_next_year
from services.enrollment.domain.timeline import DEFAULT_INSTANT_PAYMENT_DAYS, build_cover_year

WINDOW_FIELDS = ("split", "grassroots", "district_review", "district_submit")


def cover_year_data(row: CoverYearRow) -> dict:
    data = {"cover_year": row.cover_year}
    for name in WINDOW_FIELDS:
        data[f"{name}_window"] = [getattr(row, f"{name}_start").isoformat(), getattr(row, f"{name}_end").isoformat()]
    for name in ("card_cutoff", "cover_start", "cover_end", "payment_deadline", "claims_deadline"):
        data[name] = getattr(row, name).isoformat()
    data["instant_payment_days"] = row.instant_payment_days
    data["version"] = row.version
    return data


def cover_year_view(row: CoverYearRow) -> dict:
    """The timeline as screens show it: the configured fields, every deadline by its name with the
    days left by the system's clock (not the browser's), and where today falls in the season."""
    year, today = queries.cover_year_of(row), clock.today()
    deadlines = [{**d, "days_left": (d["date"] - today).days} for d in year.deadlines()]
    return {
        **cover_year_data(row),
        "deadlines": deadlines,
        "today": today,
        "started": year.split_window.start <= today,
        "active": year.split_window.start <= today <= year.cover_end,
    }


def configure_cover_year(uow: UoW, who: Identity, cover_year: int, data: dict) -> CoverYearRow:
    """The centre sets (or changes) a year's timeline; the whole timeline goes out as an event."""
    who.require("centre")
    row = uow.session.get(CoverYearRow, cover_year, with_for_update=True)
    if data.get("instant_payment_days") is None:  # not given: the year keeps its setting, else the default
        data = {**data, "instant_payment_days": row.instant_payment_days if row else DEFAULT_INSTANT_PAYMENT_DAYS}
    build_cover_year(cover_year, data)  # raises ValidationFailed per field
    if row is None:
        row = CoverYearRow(cover_year=cover_year, version=0)
        uow.session.add(row)
    for name in WINDOW_FIELDS:
        start, end = data[f"{name}_window"]
        setattr(row, f"{name}_start", start)
        setattr(row, f"{name}_end", end)
    for name in (
        "card_cutoff",
        "cover_start",
        "cover_end",
        "payment_deadline",
        "claims_deadline",
        "instant_payment_days",
    ):
        setattr(row, name, data[name])
    row.version += 1
    row.updated_at = clock.utcnow_naive()
    row.updated_by = who.user
    uow.session.flush()
    uow.publish(contracts.COVER_YEAR_CONFIGURED, cover_year_data(row), schema_version=contracts.COVER_YEAR_VERSION)
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict("该保障年度正被同时修改，请刷新后重试", code="COVER_YEAR_CHANGED") from None
    return row


def list_cover_years(uow: UoW, who: Identity) -> list[CoverYearRow]:
    """Every configured year, newest first (any signed-in role may read timelines)."""
    return list(uow.session.scalars(select(CoverYearRow).order_by(CoverYearRow.cover_year.desc())))


def get_cover_year_row(uow: UoW, who: Identity, cover_year: int) -> CoverYearRow:
    return queries.cover_year_row(uow.session, cover_year)


def propose_next_cover_year(uow: UoW, who: Identity, cover_year: int) -> dict:
    """开启下一年度: the next year's timeline proposed from this one, every date with this year's
    value and why it is what it is, and the guide's order checked. Nothing is saved: the centre
    reviews, changes and saves it through configure_cover_year. Refused when the next year is
    configured already (it is then changed like any year)."""
    who.require("centre")
    proposal = propose_next_year(queries.load_year(uow.session, cover_year))
    if uow.session.get(CoverYearRow, proposal.cover_year) is not None:
        raise Conflict(f"{proposal.cover_year} 年度已设置，请在年度列表中点“修改”调整", code="NEXT_YEAR_CONFIGURED")
    return {
        "cover_year": proposal.cover_year,
        "from_year": proposal.from_year,
        "timeline": proposal.timeline(),
        "dates": [d.as_dict() for d in proposal.dates],
        "checks": proposal.checks,
    }
