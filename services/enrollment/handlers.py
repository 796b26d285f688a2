"""Use cases of the enrollment service: consumed events and commands, each given a unit of work."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import exists, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from common import clock
from common.bus import PermanentFailure
from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from common.readmodel import upsert_if_newer
from services.enrollment import messages as events
from services.enrollment.adapters.orm import (Batch, BatchCounter, Cover, CoverYearRow, CreditView, DistrictView,
                                              MemberView, RateView, Submission, TypeChoice, UnionView)
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain.timeline import CoverYear, Window, build_cover_year
from services.enrollment.domain.totals import Totals, totals_for

# ------------------------------------------------------------------ directory read model


def keep_district(uow, event: dict) -> None:
    """DistrictViewWhenDistrictRegistered/Updated."""
    d = event["data"]
    upsert_if_newer(uow.session, DistrictView, {"district_id": d["district_id"]},
                    {k: d[k] for k in ("name", "kind", "special_industry", "version")})


def keep_union(uow, event: dict) -> None:
    """UnionViewWhenUnionRegistered/Updated (renames, contact changes, moves)."""
    d = event["data"]
    upsert_if_newer(uow.session, UnionView, {"union_id": d["union_id"]},
                    {k: d[k] for k in ("name", "credit_code", "district_id", "contact_person", "phone", "version")})


# ------------------------------------------------------------------ member, rate and credit read models

def _date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def _datetime(value) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.SHANGHAI)


def keep_member(uow, event: dict) -> None:
    """MemberViewWhenMemberChanged: every members.member.* snapshot (eligibility read model)."""
    d = event["data"]
    try:
        values = {
            "union_id": d.get("union_id"), "district_id": d.get("district_id"), "name": d["name"],
            "id_type": d["id_type"], "id_number": d["id_number"], "member_no": d.get("member_no"),
            "status": d["status"], "card_number": d.get("card_number"),
            "card_issued_on": _date(d.get("card_issued_on")), "card_recorded_at": _datetime(d.get("card_recorded_at")),
            "removed": bool(d.get("removed", False)), "version": int(d["version"]),
        }
        member_id = int(d["member_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"malformed member snapshot: {exc!r}") from exc
    upsert_if_newer(uow.session, MemberView, {"member_id": member_id}, values)


def keep_rate(uow, event: dict) -> None:
    """RateViewWhenRatesPublished: per-person amounts per (year, district, union|default, type, class)."""
    d = event["data"]
    try:
        key = {"cover_year": int(d["cover_year"]), "district_id": int(d["district_id"]),
               "union_id": int(d.get("union_id") or 0), "type": d["type"], "price_class": d["price_class"]}
        values = {k: int(d[k]) for k in ("premium_fen", "city_subsidy_fen", "district_share_fen",
                                         "grassroots_share_fen", "version")}
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"malformed rate: {exc!r}") from exc
    upsert_if_newer(uow.session, RateView, key, values)


def keep_credit(uow, event: dict) -> None:
    """CreditViewWhenCreditAvailable: the district's settlement credit available against a year."""
    d = event["data"]
    try:
        key = {"district_id": int(d["district_id"]), "cover_year": int(d["cover_year"])}
        values = {"available_fen": int(d["available_fen"]), "version": int(d["version"])}
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"malformed credit: {exc!r}") from exc
    upsert_if_newer(uow.session, CreditView, key, values)


# ------------------------------------------------------------------ cover years (保障年度)

WINDOW_FIELDS = ("split", "grassroots", "district_review", "district_submit")


def _to_domain(row: CoverYearRow) -> CoverYear:
    return CoverYear(
        cover_year=row.cover_year,
        split_window=Window(row.split_start, row.split_end),
        grassroots_window=Window(row.grassroots_start, row.grassroots_end),
        district_review_window=Window(row.district_review_start, row.district_review_end),
        district_submit_window=Window(row.district_submit_start, row.district_submit_end),
        card_cutoff=row.card_cutoff, cover_start=row.cover_start, cover_end=row.cover_end,
        payment_deadline=row.payment_deadline, claims_deadline=row.claims_deadline)


def cover_year_data(row: CoverYearRow) -> dict:
    data = {"cover_year": row.cover_year}
    for name in WINDOW_FIELDS:
        data[f"{name}_window"] = [getattr(row, f"{name}_start").isoformat(), getattr(row, f"{name}_end").isoformat()]
    for name in ("card_cutoff", "cover_start", "cover_end", "payment_deadline", "claims_deadline"):
        data[name] = getattr(row, name).isoformat()
    data["version"] = row.version
    return data


def configure_cover_year(uow, who: Identity, cover_year: int, data: dict) -> CoverYearRow:
    """The centre sets (or changes) a year's timeline; the whole timeline goes out as an event."""
    who.require("centre")
    build_cover_year(cover_year, data)  # raises ValidationFailed per field
    row = uow.session.get(CoverYearRow, cover_year, with_for_update=True)
    if row is None:
        row = CoverYearRow(cover_year=cover_year, version=0)
        uow.session.add(row)
    for name in WINDOW_FIELDS:
        start, end = data[f"{name}_window"]
        setattr(row, f"{name}_start", start)
        setattr(row, f"{name}_end", end)
    for name in ("card_cutoff", "cover_start", "cover_end", "payment_deadline", "claims_deadline"):
        setattr(row, name, data[name])
    row.version += 1
    row.updated_at = clock.utcnow_naive()
    row.updated_by = who.user
    uow.session.flush()
    uow.publish(events.COVER_YEAR_CONFIGURED, cover_year_data(row))
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict("该保障年度正被同时修改，请刷新后重试", code="COVER_YEAR_CHANGED") from None
    return row


def list_cover_years(session) -> list[CoverYearRow]:
    return list(session.scalars(select(CoverYearRow).order_by(CoverYearRow.cover_year.desc())))


def get_cover_year_row(session, cover_year: int) -> CoverYearRow:
    row = session.get(CoverYearRow, cover_year)
    if row is None:
        raise NotFound(f"{cover_year}年度尚未配置", code="COVER_YEAR_NOT_FOUND")
    return row


def load_year(session, cover_year: int) -> CoverYear:
    return _to_domain(get_cover_year_row(session, cover_year))


# ------------------------------------------------------------------ rates

RATE_PARTS = ("premium_fen", "city_subsidy_fen", "district_share_fen", "grassroots_share_fen")


class RateCache:
    """Per-person rates of billing's read model, loaded once per (year, district): per price
    class, the union's own override wins over the district default (union_id 0)."""

    def __init__(self, session):
        self.session = session
        self._by_district: dict[tuple, dict] = {}

    def rates(self, cover_year: int, district_id: int, union_id: int, type_: str) -> dict[str, dict]:
        key = (cover_year, district_id)
        if key not in self._by_district:
            table: dict[tuple, dict] = {}
            for r in self.session.scalars(select(RateView).where(RateView.cover_year == cover_year,
                                                                 RateView.district_id == district_id)):
                table.setdefault((r.union_id, r.type), {})[r.price_class] = {p: getattr(r, p) for p in RATE_PARTS}
            self._by_district[key] = table
        table = self._by_district[key]
        return {**table.get((0, type_), {}), **table.get((union_id, type_), {})}

    def totals(self, cover_year, district_id, union_id, type_, counts) -> Totals | None:
        return totals_for(counts, self.rates(cover_year, district_id, union_id, type_))


# ------------------------------------------------------------------ eligibility

def _union_district(session, who: Identity) -> int:
    union = session.get(UnionView, who.union_id)
    district_id = union.district_id if union is not None else who.district_id
    if district_id is None:
        raise NotFound("未找到本工会所属的区局/产业工会", code="UNION_NOT_KNOWN")
    return district_id


def _active_cover(cover_year: int):
    return exists().where(Cover.cover_year == cover_year, Cover.member_id == MemberView.member_id,
                          Cover.status.in_(rules.ACTIVE_COVER_STATES))


def eligible_members(union_id: int, year: CoverYear, mode: str, kind: str | None, today: date):
    """Select the union's members eligible now: card holder (by the cut-off for centralised,
    after it for new card holders; instantly only with a card issued by today, within the year),
    status normal, not removed, not covered this cover year."""
    query = select(MemberView).where(
        MemberView.union_id == union_id, MemberView.status == "normal", MemberView.removed.is_(False),
        MemberView.card_number.is_not(None), MemberView.card_issued_on.is_not(None),
        ~_active_cover(year.cover_year))
    if mode == "centralised" or kind == "no_cover":
        query = query.where(MemberView.card_issued_on <= year.card_cutoff)
    else:
        query = query.where(MemberView.card_issued_on > year.card_cutoff)
    if mode == "instant":
        query = query.where(MemberView.card_issued_on <= min(today, year.cover_end))
    return query


def _within_year(year: CoverYear, terms: rules.CoverTerms) -> bool:
    return terms.cover_start <= year.cover_end


def _recorded_on(member: MemberView) -> date | None:
    return member.card_recorded_at.astimezone(clock.SHANGHAI).date() if member.card_recorded_at else \
        member.card_issued_on


def _terms(year: CoverYear, mode: str, kind: str | None, member: MemberView, today: date) -> rules.CoverTerms:
    if mode == "centralised":
        return rules.centralised_terms(year)
    return rules.instant_terms(year, kind, today, _recorded_on(member))


def _member_row(member: MemberView, terms: rules.CoverTerms) -> dict:
    return {"member_id": member.member_id, "name": member.name, "id_type": member.id_type,
            "id_number": member.id_number, "card_number": member.card_number,
            "card_issued_on": member.card_issued_on, "cover_start": terms.cover_start, "cover_end": terms.cover_end,
            "price_class": terms.price_class, "half_or_full": terms.half_or_full}


def _mode_action(mode: str) -> str:
    return "grassroots" if mode == "centralised" else "instant"


def _check_mode(mode: str, kind: str | None) -> None:
    if mode not in rules.MODES:
        raise ValidationFailed({"mode": ["参保方式须为 centralised（集中参保）或 instant（即时参保）"]})
    if mode == "instant" and kind not in rules.INSTANT_KINDS:
        raise ValidationFailed({"kind": ["即时参保须指明 no_cover（有卡无保人员）或 new_card（新办卡人员）"]})


def confirmation(session, who: Identity, cover_year: int, mode: str = "centralised", kind: str | None = None,
                 type_: str | None = None, page: int = 1, per_page: int = 50) -> dict:
    """参保确认画面: the eligible members (paged) and the header: cover year, headcount, the type
    (the chosen one, else the one asked about) and the totals split by who pays."""
    who.require("grassroots")
    _check_mode(mode, kind)
    year = load_year(session, cover_year)
    district_id = _union_district(session, who)
    today = clock.today()
    chosen = session.scalar(select(TypeChoice.type).where(TypeChoice.cover_year == cover_year,
                                                          TypeChoice.union_id == who.union_id))
    if type_ is not None and type_ not in rules.COVER_TYPES:
        raise ValidationFailed({"type": [f"保障类型须为 {'、'.join(rules.COVER_TYPES)} 之一"]})
    shown_type = chosen or type_
    query = eligible_members(who.union_id, year, mode, kind, today)
    if mode == "centralised":
        headcount = session.scalar(select(func.count()).select_from(query.subquery()))
        counts = {rules.CENTRALISED: headcount}
        members = list(session.scalars(query.order_by(MemberView.member_id)
                                       .offset((page - 1) * per_page).limit(per_page)))
    else:  # instant lists are small; terms differ per member
        every = [m for m in session.scalars(query.order_by(MemberView.member_id))
                 if _within_year(year, _terms(year, mode, kind, m, today))]
        headcount = len(every)
        counts: dict[str, int] = {}
        for m in every:
            pc = _terms(year, mode, kind, m, today).price_class
            counts[pc] = counts.get(pc, 0) + 1
        members = every[(page - 1) * per_page: page * per_page]
    totals = None
    if shown_type:
        found = RateCache(session).totals(cover_year, district_id, who.union_id, shown_type, counts)
        totals = found.as_dict() if found else None
    window = year.window(_mode_action(mode))
    return {
        "cover_year": cover_year, "mode": mode, "kind": kind, "chosen_type": chosen, "type": shown_type,
        "headcount": headcount, "counts": counts, "totals": totals, "prices_pending": shown_type is not None and totals is None,
        "window": {"start": window.start, "end": window.end, "open": window.contains(today)},
        "cover_start": year.cover_start, "cover_end": year.cover_end, "pay_by": year.grassroots_window.end,
        "items": [_member_row(m, _terms(year, mode, kind, m, today)) for m in members],
    }


# ------------------------------------------------------------------ submitting (提交至区局审核)

def _insert_ignoring_conflict(session, table, values: dict) -> None:
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    session.execute(ins.values(**values).on_conflict_do_nothing())


def _choose_type(session, who: Identity, cover_year: int, wanted: str) -> str:
    """The union's type for the year, chosen by its first submission. The choice row is locked
    until commit, so a union's concurrent submissions queue behind each other."""
    rules.check_type(None, wanted)
    _insert_ignoring_conflict(session, TypeChoice, {"cover_year": cover_year, "union_id": who.union_id,
                                                    "type": wanted, "chosen_at": clock.utcnow_naive(),
                                                    "chosen_by": who.user})
    chosen = session.scalar(select(TypeChoice.type).where(TypeChoice.cover_year == cover_year,
                                                          TypeChoice.union_id == who.union_id).with_for_update())
    return rules.check_type(chosen, wanted)


def _check_members(session, who: Identity, year: CoverYear, mode: str, kind: str | None, member_ids: list[int],
                   today: date):
    """Every named member must be eligible; otherwise 422 with each member's reason, nothing done."""
    known = {m.member_id: m for m in session.scalars(select(MemberView).where(MemberView.member_id.in_(member_ids)))}
    covered = set(session.scalars(select(Cover.member_id).where(
        Cover.cover_year == year.cover_year, Cover.member_id.in_(member_ids),
        Cover.status.in_(rules.ACTIVE_COVER_STATES))))
    problems = []
    for member_id in dict.fromkeys(member_ids):
        m = known.get(member_id)
        facts = None if m is None else rules.MemberFacts(m.member_id, m.union_id, m.status, m.removed, m.card_number,
                                                          m.card_issued_on, _recorded_on(m))
        reason = rules.ineligibility(facts, who.union_id, year, mode, kind, member_id in covered, today)
        if reason:
            problems.append({"member_id": member_id, "reason": reason, "message": rules.NOT_ELIGIBLE[reason]})
    if problems:
        raise ValidationFailed({"member_ids": [f"{p['member_id']}: {p['message']}" for p in problems]},
                               message="以下会员不符合参保条件，本次提交未生效", code="MEMBER_NOT_ELIGIBLE")


def submit(uow, who: Identity, cover_year: int, mode: str, type_: str, kind: str | None = None,
           member_ids: list[int] | None = None) -> Submission:
    """提交至区局审核: enrol every eligible member (or the ones named) with the union's type. May be
    repeated before the deadline; each submission takes whoever is newly eligible. The unique
    index on active covers decides any race: the loser changes nothing and is told to retry."""
    try:
        return _submit(uow, who, cover_year, mode, type_, kind, member_ids)
    except IntegrityError:
        uow.rollback()
        raise Conflict("部分会员已由另一提交同时参保，本次提交未生效，请刷新名单后重试",
                       code="ALREADY_COVERED_CONCURRENTLY") from None


def _submit(uow, who: Identity, cover_year: int, mode: str, type_: str, kind: str | None,
            member_ids: list[int] | None) -> Submission:
    who.require("grassroots")
    _check_mode(mode, kind)
    if mode == "centralised":
        kind = None
    session = uow.session
    year = load_year(session, cover_year)
    today = clock.today()
    year.check_open(_mode_action(mode), today)
    district_id = _union_district(session, who)
    _choose_type(session, who, cover_year, type_)
    if member_ids:
        _check_members(session, who, year, mode, kind, member_ids, today)
    now = clock.utcnow_naive()
    sequence = 1 + session.scalar(select(func.count()).select_from(Submission).where(
        Submission.union_id == who.union_id, Submission.cover_year == cover_year, Submission.mode == mode))
    sub = Submission(union_id=who.union_id, district_id=district_id, cover_year=cover_year, mode=mode, kind=kind,
                     type=type_, status="submitted", headcount=0, counts={}, sequence=sequence, submitted_at=now,
                     submitted_by=who.user, updated_at=now)
    session.add(sub)
    session.flush()
    query = eligible_members(who.union_id, year, mode, kind, today)
    if member_ids:
        query = query.where(MemberView.member_id.in_(member_ids))
    if mode == "centralised":
        # One statement for the whole list: 100,000 members stay one round trip.
        terms = rules.centralised_terms(year)
        source = query.with_only_columns(
            literal(cover_year), MemberView.member_id, literal(sub.id), literal(who.union_id), literal("pending"),
            MemberView.name, MemberView.id_type, MemberView.id_number, MemberView.card_number,
            literal(terms.cover_start), literal(terms.cover_end), literal(terms.price_class))
        session.execute(insert(Cover).from_select(
            ["cover_year", "member_id", "submission_id", "union_id", "status", "name", "id_type", "id_number",
             "card_number", "cover_start", "cover_end", "price_class"], source))
        headcount = session.scalar(select(func.count()).select_from(Cover).where(Cover.submission_id == sub.id))
        counts = {rules.CENTRALISED: headcount} if headcount else {}
    else:
        rows = []
        counts = {}
        for m in session.scalars(query):
            t = _terms(year, mode, kind, m, today)
            if not _within_year(year, t):
                continue
            counts[t.price_class] = counts.get(t.price_class, 0) + 1
            rows.append({"cover_year": cover_year, "member_id": m.member_id, "submission_id": sub.id,
                         "union_id": who.union_id, "status": "pending", "name": m.name, "id_type": m.id_type,
                         "id_number": m.id_number, "card_number": m.card_number, "cover_start": t.cover_start,
                         "cover_end": t.cover_end, "price_class": t.price_class})
        if rows:
            session.execute(insert(Cover), rows)
        headcount = len(rows)
    if headcount == 0:
        raise ValidationFailed({"member_ids": ["没有可提交的参保人员"]}, message="没有符合条件、尚未参保的会员，无需提交",
                               code="NOTHING_TO_SUBMIT")
    sub.headcount = headcount
    sub.counts = counts
    union_total = session.scalar(select(func.count()).select_from(Cover).where(
        Cover.cover_year == cover_year, Cover.union_id == who.union_id, Cover.status.in_(rules.ACTIVE_COVER_STATES)))
    uow.publish(events.SUBMISSION_SUBMITTED, events.submission_data(sub, union_headcount_total=union_total))
    uow.commit()
    return sub


# ------------------------------------------------------------------ reading submissions

def get_submission(session, who: Identity, submission_id: int, lock: bool = False) -> Submission:
    query = select(Submission).where(Submission.id == submission_id)
    if lock:
        query = query.with_for_update()
    sub = session.scalar(query)
    if sub is None:
        raise NotFound()
    who.check_union(sub.union_id, sub.district_id)
    return sub


def submission_view(sub: Submission, union: UnionView | None, rates: RateCache, batch_no: str | None = None) -> dict:
    totals = rates.totals(sub.cover_year, sub.district_id, sub.union_id, sub.type, sub.counts or {})
    return {"batch_no": batch_no,
        "id": sub.id, "union_id": sub.union_id, "union_name": union.name if union else None,
        "credit_code": union.credit_code if union else None, "district_id": sub.district_id,
        "cover_year": sub.cover_year, "mode": sub.mode, "kind": sub.kind, "type": sub.type, "status": sub.status,
        "status_text": rules.SUBMISSION_STATES[sub.status], "headcount": sub.headcount, "counts": sub.counts,
        "sequence": sub.sequence, "submitted_at": _aware(sub.submitted_at), "updated_at": _aware(sub.updated_at),
        "return_reason": sub.return_reason, "returned_at": _aware(sub.returned_at), "batch_id": sub.batch_id,
        "totals": totals.as_dict() if totals else None,
    }


_aware = events.aware


def list_submissions(session, who: Identity, filters: dict, page: int = 1, per_page: int = 50) -> tuple[int, list]:
    """Submissions in the caller's scope; for a district with status=submitted, the pending list
    (待审批参保列表) filtered by union name, organisation code, submission time and type."""
    query = (select(Submission, UnionView, Batch.batch_no)
             .outerjoin(UnionView, UnionView.union_id == Submission.union_id)
             .outerjoin(Batch, Batch.id == Submission.batch_id))
    if who.role == "grassroots":
        query = query.where(Submission.union_id == who.union_id)
    elif who.role == "district":
        query = query.where(Submission.district_id == who.district_id)
    for name in ("cover_year", "mode", "type", "status", "union_id", "batch_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(Submission, name) == filters[name])
    if filters.get("union_name"):
        query = query.where(UnionView.name.contains(filters["union_name"].strip()))
    if filters.get("credit_code"):
        query = query.where(UnionView.credit_code == filters["credit_code"].strip().upper())
    if filters.get("submitted_from"):
        query = query.where(Submission.submitted_at >= _naive_utc_start(filters["submitted_from"]))
    if filters.get("submitted_to"):
        query = query.where(Submission.submitted_at < _naive_utc_start(filters["submitted_to"] + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(Submission.submitted_at, Submission.id)
                           .offset((page - 1) * per_page).limit(per_page)).all()
    rates = RateCache(session)
    return total, [submission_view(sub, union, rates, batch_no) for sub, union, batch_no in rows]


def _naive_utc_start(day: date) -> datetime:
    from datetime import timezone

    return datetime(day.year, day.month, day.day, tzinfo=clock.SHANGHAI).astimezone(timezone.utc).replace(tzinfo=None)


def submission_detail(session, who: Identity, submission_id: int, page: int = 1, per_page: int = 50) -> dict:
    sub = get_submission(session, who, submission_id)
    batch = session.get(Batch, sub.batch_id) if sub.batch_id else None
    view = submission_view(sub, session.get(UnionView, sub.union_id), RateCache(session),
                           batch.batch_no if batch else None)
    covers = session.scalars(select(Cover).where(Cover.submission_id == sub.id).order_by(Cover.id)
                             .offset((page - 1) * per_page).limit(per_page))
    view["members"] = [{
        "member_id": c.member_id, "name": c.name, "id_type": c.id_type, "id_number": c.id_number,
        "card_number": c.card_number, "cover_start": c.cover_start, "cover_end": c.cover_end,
        "price_class": c.price_class, "half_or_full": "半年" if c.price_class == rules.SECOND_HALF else "全年",
        "status": c.status} for c in covers]
    return view


# ------------------------------------------------------------------ district review (集中参保审核)

def _review_action(mode: str) -> str:
    return "district_review" if mode == "centralised" else "instant"


def _locked_for_review(sub: Submission) -> None:
    if sub.batch_id is not None or sub.status in ("in_batch", "paid", "failed"):
        raise Conflict("该参保信息已提交至市职保中心，批次不能再修改", code="BATCH_LOCKED")


def return_submission(uow, who: Identity, submission_id: int, reason: str) -> Submission:
    """退回: the district sends a pending submission back with a reason; its members are free to be
    submitted again by the union."""
    who.require("district")
    session = uow.session
    sub = get_submission(session, who, submission_id, lock=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["请填写退回原因"]})
    _locked_for_review(sub)
    load_year(session, sub.cover_year).check_open(_review_action(sub.mode), clock.today())
    if sub.status != "submitted":
        raise Conflict(f"只能退回待审核的参保信息（当前状态：{rules.SUBMISSION_STATES[sub.status]}）",
                       code="SUBMISSION_NOT_PENDING")
    now = clock.utcnow_naive()
    sub.status, sub.return_reason, sub.returned_at, sub.updated_at = "returned", reason, now, now
    session.execute(update(Cover).where(Cover.submission_id == sub.id).values(status="returned"))
    uow.publish(events.SUBMISSION_RETURNED, {"submission_id": sub.id, "union_id": sub.union_id,
                                             "district_id": sub.district_id, "cover_year": sub.cover_year,
                                             "mode": sub.mode, "reason": reason})
    uow.commit()
    return sub


def stage_submission(uow, who: Identity, submission_id: int, staged: bool) -> Submission:
    """添加至待提交 / 移除: move a pending submission to the to-submit list or back."""
    who.require("district")
    session = uow.session
    sub = get_submission(session, who, submission_id, lock=True)
    _locked_for_review(sub)
    load_year(session, sub.cover_year).check_open(_review_action(sub.mode), clock.today())
    before, after = ("submitted", "staged") if staged else ("staged", "submitted")
    if sub.status != before:
        raise Conflict(f"当前状态（{rules.SUBMISSION_STATES[sub.status]}）不能{'添加至待提交列表' if staged else '从待提交列表移除'}",
                       code="SUBMISSION_STATE_CONFLICT")
    sub.status, sub.updated_at = after, clock.utcnow_naive()
    uow.publish(events.SUBMISSION_STAGED if staged else events.SUBMISSION_UNSTAGED,
                {"submission_id": sub.id, "union_id": sub.union_id, "district_id": sub.district_id,
                 "cover_year": sub.cover_year, "mode": sub.mode})
    uow.commit()
    return sub


def to_submit(session, who: Identity, cover_year: int, mode: str = "centralised") -> dict:
    """待提交参保列表 and its totals, with the district's settlement credit available."""
    who.require("district")
    _check_mode(mode, "no_cover")
    load_year(session, cover_year)
    rows = session.execute(select(Submission, UnionView).outerjoin(UnionView, UnionView.union_id == Submission.union_id)
                           .where(Submission.district_id == who.district_id, Submission.cover_year == cover_year,
                                  Submission.mode == mode, Submission.status == "staged")
                           .order_by(Submission.id)).all()
    rates = RateCache(session)
    items = [submission_view(sub, union, rates) for sub, union in rows]
    total, complete = Totals(), True
    for item in items:
        if item["totals"] is None:
            complete = False
        else:
            total = total + Totals(**item["totals"])
    credit = session.get(CreditView, (who.district_id, cover_year))
    return {"cover_year": cover_year, "mode": mode, "items": items,
            "headcount": sum(i["headcount"] for i in items),
            "totals": total.as_dict() if complete else None, "prices_pending": not complete,
            "credit_available_fen": credit.available_fen if credit else None}


def _next_sequence(session, prefix: str, day: date) -> int:
    """The per-day counter row, locked FOR UPDATE until commit: unique and gap-free numbers."""
    _insert_ignoring_conflict(session, BatchCounter, {"prefix": prefix, "day": day, "last": 0})
    counter = session.scalar(select(BatchCounter).where(BatchCounter.prefix == prefix, BatchCounter.day == day)
                             .with_for_update())
    counter.last += 1
    session.flush()
    return counter.last


def submit_batch(uow, who: Identity, cover_year: int, mode: str, handler: dict) -> Batch:
    """提交列表中的参保信息: everything on the to-submit list becomes one batch (参保批次), numbered
    CB/JB + date + sequence. From here on it cannot change."""
    who.require("district")
    _check_mode(mode, "no_cover")
    session = uow.session
    year = load_year(session, cover_year)
    today = clock.today()
    year.check_open("district_submit" if mode == "centralised" else "instant", today)
    contact = rules.check_handler(handler.get("name"), handler.get("phone"), handler.get("email"))
    subs = list(session.scalars(select(Submission).where(
        Submission.district_id == who.district_id, Submission.cover_year == cover_year, Submission.mode == mode,
        Submission.status == "staged").order_by(Submission.id).with_for_update()))
    if not subs:
        raise ValidationFailed({"submissions": ["待提交参保列表为空"]}, message="待提交参保列表为空，请先添加参保信息",
                               code="NOTHING_TO_SUBMIT")
    sequence = _next_sequence(session, rules.BATCH_PREFIX[mode], today)
    now = clock.utcnow_naive()
    by_type: dict[str, int] = {}
    for s in subs:
        by_type[s.type] = by_type.get(s.type, 0) + s.headcount
    batch = Batch(batch_no=rules.batch_number(mode, today, sequence), district_id=who.district_id,
                  cover_year=cover_year, mode=mode, status="submitted", headcount=sum(by_type.values()),
                  headcount_by_type=by_type, handler_name=contact["name"], handler_phone=contact["phone"],
                  handler_email=contact["email"], submitted_at=now, submitted_by=who.user, updated_at=now)
    session.add(batch)
    session.flush()
    session.execute(update(Submission).where(Submission.id.in_([s.id for s in subs]))
                    .values(status="in_batch", batch_id=batch.id, updated_at=now))
    uow.publish(events.BATCH_SUBMITTED, events.batch_data(batch, subs))
    try:
        uow.commit()
    except IntegrityError:
        uow.rollback()
        raise Conflict("批次提交冲突，请重试", code="BATCH_CONFLICT") from None
    return batch


# ------------------------------------------------------------------ batches (参保批次管理)

def get_batch(session, who: Identity, batch_id: int) -> Batch:
    who.require("district", "centre")
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound()
    who.check_district(batch.district_id)
    return batch


def batch_view(batch: Batch) -> dict:
    return {c: getattr(batch, c) for c in (
        "id", "batch_no", "district_id", "cover_year", "mode", "status", "headcount", "headcount_by_type",
        "handler_name", "handler_phone", "handler_email", "premium_fen", "city_subsidy_fen", "union_share_fen",
        "credit_applied_fen", "due_fen", "pay_by", "feedback_message")} | {
        "status_text": rules.BATCH_STATES[batch.status],
        **{c: _aware(getattr(batch, c)) for c in ("submitted_at", "updated_at", "voucher_uploaded_at", "feedback_at",
                                                  "written_off_at", "failed_at")}}


def list_batches(session, who: Identity, filters: dict, page: int = 1, per_page: int = 50) -> tuple[int, list]:
    who.require("district", "centre")
    query = select(Batch)
    if who.role == "district":
        query = query.where(Batch.district_id == who.district_id)
    for name in ("cover_year", "mode", "status", "district_id", "batch_no"):
        if filters.get(name) is not None:
            query = query.where(getattr(Batch, name) == filters[name])
    if filters.get("submitted_from"):
        query = query.where(Batch.submitted_at >= _naive_utc_start(filters["submitted_from"]))
    if filters.get("submitted_to"):
        query = query.where(Batch.submitted_at < _naive_utc_start(filters["submitted_to"] + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Batch.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return total, [batch_view(b) for b in items]


def batch_detail(session, who: Identity, batch_id: int) -> dict:
    batch = get_batch(session, who, batch_id)
    view = batch_view(batch)
    rows = session.execute(select(Submission, UnionView).outerjoin(UnionView, UnionView.union_id == Submission.union_id)
                           .where(Submission.batch_id == batch.id).order_by(Submission.id)).all()
    rates = RateCache(session)
    view["submissions"] = [submission_view(s, u, rates, batch.batch_no) for s, u in rows]
    return view


# ------------------------------------------------------------------ billing's events on batches

def _batch_for(session, data: dict) -> Batch:
    try:
        batch_id = int(data["batch_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentFailure(f"event without batch_id: {exc!r}") from exc
    batch = session.get(Batch, batch_id, with_for_update=True)
    if batch is None:
        raise PermanentFailure(f"unknown batch {batch_id}")
    return batch


def _event_time(value) -> datetime:
    from datetime import timezone

    parsed = _datetime(value) if value else clock.now()
    return parsed.astimezone(timezone.utc).replace(tzinfo=None)


FINAL_BATCH_STATES = ("written_off", "failed")


def note_batch_priced(uow, event: dict) -> None:
    """BatchAmountsWhenBatchPriced: premium, city subsidy, union share, credit applied, due."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    for name in ("premium_fen", "city_subsidy_fen", "union_share_fen", "credit_applied_fen", "due_fen"):
        if d.get(name) is not None:
            setattr(batch, name, int(d[name]))
    batch.pay_by = _date(d.get("pay_by")) or batch.pay_by
    batch.updated_at = clock.utcnow_naive()


def note_voucher_uploaded(uow, event: dict) -> None:
    """BatchStatusWhenVoucherUploaded (凭证上传时间)."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    batch.voucher_uploaded_at = _event_time(d.get("uploaded_at"))
    if batch.status not in FINAL_BATCH_STATES:
        batch.status = "voucher_uploaded"
    batch.updated_at = clock.utcnow_naive()


def note_feedback(uow, event: dict) -> None:
    """BatchStatusWhenFeedbackGiven (职保中心反馈时间)."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    batch.feedback_at = _event_time(d.get("at"))
    batch.feedback_message = d.get("message")
    if batch.status not in FINAL_BATCH_STATES:
        batch.status = "feedback_given"
    batch.updated_at = clock.utcnow_naive()


def _settle(uow, batch: Batch, submission_status: str, cover_status: str, event_type: str) -> None:
    sub_ids = list(uow.session.scalars(select(Submission.id).where(Submission.batch_id == batch.id)))
    now = clock.utcnow_naive()
    uow.session.execute(update(Submission).where(Submission.batch_id == batch.id)
                        .values(status=submission_status, updated_at=now))
    uow.session.execute(update(Cover).where(Cover.submission_id.in_(sub_ids), Cover.status == "pending")
                        .values(status=cover_status))
    uow.publish(event_type, {"batch_id": batch.id, "batch_no": batch.batch_no, "district_id": batch.district_id,
                             "cover_year": batch.cover_year, "mode": batch.mode, "submission_ids": sub_ids,
                             "headcount": batch.headcount})


def grant_when_written_off(uow, event: dict) -> None:
    """CoverGrantedWhenBatchWrittenOff (核销): the batch's enrolments are paid; cover is granted."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    if batch.status in FINAL_BATCH_STATES:
        return
    batch.status = "written_off"
    batch.written_off_at = _event_time(d.get("at"))
    batch.updated_at = clock.utcnow_naive()
    _settle(uow, batch, "paid", "granted", events.COVER_GRANTED)


def fail_when_overdue(uow, event: dict) -> None:
    """CoverFailedWhenBatchOverdue: unpaid at the deadline, the batch and all its enrolments fail;
    its members are free again, but only instant enrolment is open by then."""
    d = event["data"]
    batch = _batch_for(uow.session, d)
    if batch.status in FINAL_BATCH_STATES:
        return
    batch.status = "failed"
    batch.failed_at = clock.utcnow_naive()
    batch.updated_at = batch.failed_at
    _settle(uow, batch, "failed", "failed", events.COVER_FAILED)
