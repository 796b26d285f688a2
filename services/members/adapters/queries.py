"""Members' reads: the repository handlers ask instead of writing queries of their own — the
directory (a union's district, the unions of a district, names taken), members by id, ID number
or card, locked for the change that follows where the caller changes them, the member number
counter, the day's ID lookups, and the pages the lists show (members, transfer requests, uploads,
lookups). The set-based comparison of an upload is adapters/roster_sql.py; a job's stored errors
and file adapters/upload_store.py.

A function that locks (`… for update`) says so: the caller changes what it returns in the same
transaction. Each takes the session of the caller's unit of work (`uow.session`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import defer

from common.identity import Identity, scoped
from services.members.adapters.orm import (
    District,
    GrassrootsUnion,
    IdLookupDay,
    Member,
    MemberNumberCounter,
    SyncRunItem,
    TransferRequest,
    UnionFactChange,
    UnionRegistration,
    UploadJob,
    by_id_number,
    id_number_is,
    id_numbers_in,
)

# ------------------------------------------------------------------ the directory


def district_of(session, union_id: int | None) -> int | None:
    if union_id is None:
        return None
    return session.scalar(select(GrassrootsUnion.district_id).where(GrassrootsUnion.id == union_id))


def districts_of(session, union_ids) -> dict[int, int]:
    """{union id: its district id} of these unions (none asked: none read)."""
    ids = {u for u in union_ids if u is not None}
    if not ids:
        return {}
    rows = session.execute(select(GrassrootsUnion.id, GrassrootsUnion.district_id).where(GrassrootsUnion.id.in_(ids)))
    return dict(rows.all())


def unions_of_district(session, district_id: int | None) -> list[int]:
    return list(session.scalars(select(GrassrootsUnion.id).where(GrassrootsUnion.district_id == district_id)))


def union_name(session, union_id: int) -> str | None:
    return session.scalar(select(GrassrootsUnion.name).where(GrassrootsUnion.id == union_id))


def district_named(session, name: str) -> int | None:
    return session.scalar(select(District.id).where(District.name == name))


def union_with_credit_code(session, credit_code: str) -> int | None:
    return session.scalar(select(GrassrootsUnion.id).where(GrassrootsUnion.credit_code == credit_code))


def union_named(session, name: str) -> int | None:
    return session.scalar(select(GrassrootsUnion.id).where(GrassrootsUnion.name == name).limit(1))


def pending_registration_clash(session, credit_code: str, name: str, username: str) -> set[str]:
    """Which of the three a pending registration already holds ({"credit_code", "name", "username"})."""
    rows = session.execute(
        select(UnionRegistration.credit_code, UnionRegistration.name, UnionRegistration.username).where(
            UnionRegistration.state == "pending",
            or_(
                UnionRegistration.credit_code == credit_code,
                UnionRegistration.name == name,
                UnionRegistration.username == username,
            ),
        )
    ).all()
    clash = set()
    for row in rows:
        if row.credit_code == credit_code:
            clash.add("credit_code")
        if row.name == name:
            clash.add("name")
        if row.username == username:
            clash.add("username")
    return clash


def registrations_in_scope(session, who: Identity, state: str | None) -> list[UnionRegistration]:
    """组织审核's queue: the registrations of the caller's district (the centre's: all), newest first."""
    query = scoped(select(UnionRegistration), who, district=UnionRegistration.district_id)
    if state:
        query = query.where(UnionRegistration.state == state)
    return list(session.scalars(query.order_by(UnionRegistration.id.desc()).limit(500)))


def districts_in_scope(session, who: Identity) -> list[District]:
    """The districts the caller sees: the centre all, a district its own, a union its district."""
    query = scoped(select(District).order_by(District.id), who, district=District.id)
    if who.role == "grassroots":
        query = query.where(
            District.id
            == select(GrassrootsUnion.district_id).where(GrassrootsUnion.id == who.union_id).scalar_subquery()
        )
    return list(session.scalars(query))


def union_page(
    session,
    who: Identity,
    name: str | None = None,
    credit_code: str | None = None,
    district_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
    ids: list[int] | None = None,
) -> tuple[int, list[GrassrootsUnion]]:
    """(total, a page of the unions in the caller's scope), in id order; `ids`: only these."""
    query = scoped(select(GrassrootsUnion), who, union=GrassrootsUnion.id, district=GrassrootsUnion.district_id)
    if ids:
        query = query.where(GrassrootsUnion.id.in_(ids))
    if name:
        query = query.where(GrassrootsUnion.name.contains(name.strip()))
    if credit_code:
        query = query.where(GrassrootsUnion.credit_code == credit_code.strip().upper())
    if district_id:
        query = query.where(GrassrootsUnion.district_id == district_id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(session.scalars(query.order_by(GrassrootsUnion.id).offset((page - 1) * per_page).limit(per_page)))
    return total, items


def registrations_of_unions(session, who: Identity, union_ids: list[int]) -> list[tuple[int, str | None, object]]:
    """(union_id, 注册编号, decided_at) of the approved 组织注册 that brought each of these unions (in
    the caller's scope) into the directory; a union the centre registered has none."""
    if not union_ids:
        return []
    query = scoped(
        select(UnionRegistration.union_id, UnionRegistration.number, UnionRegistration.decided_at)
        .join(GrassrootsUnion, GrassrootsUnion.id == UnionRegistration.union_id)
        .where(UnionRegistration.union_id.in_(union_ids), UnionRegistration.state == "approved"),
        who,
        union=GrassrootsUnion.id,
        district=GrassrootsUnion.district_id,
    )
    return [tuple(row) for row in session.execute(query.order_by(UnionRegistration.id))]


def members_of_union(session, union_id: int) -> list[Member]:
    return list(session.scalars(select(Member).where(Member.union_id == union_id)))


# ------------------------------------------------------------------ members


def member(session, member_id: int, for_update: bool = False) -> Member | None:
    """A member by id (locked for the caller's change when `for_update`)."""
    query = select(Member).where(Member.id == member_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def members_locked(session, member_ids: list[int], union_id: int | None = None) -> list[Member]:
    """These members (of one union, if given), locked, in id order: the ones that exist."""
    query = select(Member).where(Member.id.in_(member_ids))
    if union_id is not None:
        query = query.where(Member.union_id == union_id)
    return list(session.scalars(query.order_by(Member.id).with_for_update()))


def member_with_id_number(session, number: str) -> Member | None:
    """The member registered with this ID number (found by its blind index), anywhere."""
    return session.scalar(select(Member).where(id_number_is(number)))


def other_member_with_id_number(session, number: str, member_id: int) -> int | None:
    """The id of another member than `member_id` registered with this ID number."""
    return session.scalar(select(Member.id).where(id_number_is(number), Member.id != member_id))


def members_with_ids(session, numbers, union_id: int | None = None) -> dict[str, Member]:
    """{ID number: member} of the members with these numbers (of one union, if given), locked."""
    if not numbers:
        return {}
    condition, by_index = id_numbers_in(numbers)
    query = select(Member).where(condition)
    if union_id is not None:
        query = query.where(Member.union_id == union_id)
    return by_id_number(session.scalars(query.with_for_update()), by_index)


def card_holders(session, card_numbers: list[str]) -> dict[str, int]:
    """{card number: the id of the member it is registered to} of these cards."""
    if not card_numbers:
        return {}
    return dict(
        session.execute(select(Member.card_number, Member.id).where(Member.card_number.in_(card_numbers))).all()
    )


def member_name(session, member_id: int) -> str | None:
    return session.scalar(select(Member.name).where(Member.id == member_id))


def next_member_numbers(session, count: int) -> list[int]:
    """Reserve `count` member numbers from the counter (row-locked; it only grows): their sequence
    numbers, which domain.member.member_no spells."""
    counter = session.scalar(select(MemberNumberCounter).where(MemberNumberCounter.id == 1).with_for_update())
    if counter is None:
        counter = MemberNumberCounter(id=1, last=0)
        session.add(counter)
        session.flush()
    first = counter.last + 1
    counter.last += count
    return list(range(first, first + count))


SORTS = {"id": Member.id, "name": Member.name, "member_no": Member.member_no, "created_at": Member.created_at}


def _ordering(sort: str, order: str) -> list[Any]:
    column = SORTS.get(sort, Member.id)
    ordering = [column.desc() if order == "desc" else column.asc()]
    if column is not Member.id:
        ordering.append(Member.id.desc() if order == "desc" else Member.id.asc())
    return ordering


_UNION_PAGE_SQL: dict[tuple[str, str], str] = {}  # (sort, order) -> the driver's SQL (PostgreSQL)


def _union_page(session, union_id: int | None, sort: str, order: str, offset: int, limit: int) -> list[dict[str, Any]]:
    """One union's members in the list's order, a page of them, as member_page answers them: the
    same select, compiled once per sort and run on the driver's cursor — building, keying and
    executing it through SQLAlchemy was ~30 % of the members service's CPU on a list page
    (docs/decisions/0048-request-cost.md)."""
    connection = session.connection()
    sql = _UNION_PAGE_SQL.get((sort, order))
    if sql is None:
        statement = (
            _PAGE_COLUMNS.where(Member.union_id == bindparam("union"))
            .order_by(*_ordering(sort, order))
            .offset(bindparam("offset"))
            .limit(bindparam("limit"))
        )
        sql = _UNION_PAGE_SQL[(sort, order)] = str(statement.compile(dialect=connection.dialect))
    with connection.connection.dbapi_connection.cursor() as cursor:
        cursor.execute(sql, {"union": union_id, "offset": offset, "limit": limit})
        names = tuple(column.name for column in cursor.description)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# A page of the member list: the columns it answers (built once; every call narrows a copy).
_PAGE_COLUMNS = select(
    Member.id,
    Member.union_id,
    Member.name,
    Member.gender,
    Member.id_type,
    Member.id_masked.label("id_number"),
    Member.address,
    Member.mobile_masked.label("mobile"),  # masked as stored: nothing opened (decision 0038)
    Member.member_no,
    Member.status,
    Member.synced,
    Member.card_number,
    Member.card_issued_on,
    Member.removed,
    Member.review_note,
)


def member_page(
    session,
    who: Identity,
    name=None,
    member_no=None,
    id_number=None,
    status=None,
    synced=None,
    card_held=None,
    removed=None,
    union_id=None,
    sort="id",
    order="asc",
    page=1,
    per_page=50,
    with_total=True,
    count_cap=10_000,
) -> tuple[int | None, list[dict[str, Any]], bool | None]:
    """(total, a page of members in the caller's scope as rows, whether the total stopped at
    `count_cap`). The ID number as stored masked: a page opens no sealed number; a search by one
    (`id_number`, as the register keeps it; None: no search by it) goes by its index. A union
    outside the scope: nothing."""
    query = _PAGE_COLUMNS  # built once: each filter below makes a new statement from it
    if who.role == "grassroots":
        query = query.where(Member.union_id == who.union_id)
        if union_id is not None and union_id != who.union_id:
            return 0, [], False
    elif who.role == "district":
        if union_id is not None:
            if district_of(session, union_id) != who.district_id:
                return 0, [], False
            query = query.where(Member.union_id == union_id)
        else:
            # the district's unions as values (not a subquery), so that the planner sees how big
            # each one is and pages in id order instead of sorting a whole district
            query = query.where(Member.union_id.in_(unions_of_district(session, who.district_id) or [-1]))
    elif union_id is not None:
        query = query.where(Member.union_id == union_id)
    if name:
        query = query.where(Member.name.startswith(name.strip(), autoescape=True))
    if member_no:
        query = query.where(Member.member_no == member_no.strip())
    if id_number is not None:
        query = query.where(id_number_is(id_number))
    if status:
        query = query.where(Member.status == status)
    if synced is not None:
        query = query.where(Member.synced == synced)
    if card_held is not None:
        query = query.where(Member.card_number.is_not(None) if card_held else Member.card_number.is_(None))
    if removed is not None:
        query = query.where(Member.removed == removed)
    total = capped = None
    if with_total:
        # one union's members are counted exactly; across a district or the city (up to 10 million
        # members) the count stops at `count_cap` and says so, so that a list never waits on it
        one_union = who.role == "grassroots" or union_id is not None or member_no or id_number is not None
        counted = query if one_union else query.limit(count_cap + 1)
        total = session.scalar(select(func.count()).select_from(counted.subquery()))
        capped = not one_union and total > count_cap
        total = min(total, count_cap) if capped else total
    plain = who.role == "grassroots" and not (
        name or member_no or id_number is not None or status or synced is not None or card_held is not None
    )
    if plain and removed is None and session.get_bind().dialect.name == "postgresql":
        # a clerk paging through their own union, the list's commonest request: one statement
        # compiled once per sort, on the driver's cursor in the same transaction
        return total, _union_page(session, who.union_id, sort, order, (page - 1) * per_page, per_page), capped
    ordering = _ordering(sort, order)
    # columns, not entities: executed on the session's connection (Core), each row zipped with the
    # column names — the ORM's execution and row mappings were a third of a list page's CPU
    # (docs/decisions/0048-request-cost.md)
    result = session.connection().execute(query.order_by(*ordering).offset((page - 1) * per_page).limit(per_page))
    names = tuple(result.keys())
    return total, [dict(zip(names, row, strict=True)) for row in result.all()], capped


# ------------------------------------------------------------------ transfer requests


def transfer_request_locked(session, request_id: int) -> TransferRequest | None:
    return session.scalar(select(TransferRequest).where(TransferRequest.id == request_id).with_for_update())


def requested_by_source(session, to_union_id: int, requested_by: str, requested_at) -> dict[int, list[int]]:
    """{source union: its request ids} of the pending requests one union's clerk made at one moment."""
    rows = session.execute(
        select(TransferRequest.from_union_id, TransferRequest.id)
        .where(
            TransferRequest.to_union_id == to_union_id,
            TransferRequest.requested_by == requested_by,
            TransferRequest.requested_at == requested_at,
            TransferRequest.status == "pending",
        )
        .order_by(TransferRequest.from_union_id, TransferRequest.id)
    ).all()
    by_source: dict[int, list[int]] = {}
    for from_union_id, request_id in rows:
        by_source.setdefault(from_union_id, []).append(request_id)
    return by_source


def transfer_request_page(
    session, who: Identity, direction: str = "out", status: str | None = "pending", page: int = 1, per_page: int = 50
) -> tuple[int, list]:
    """(total, a page of rows: the request, the member's name and masked number, the other union's
    name), newest first: requests for the caller's members (out) or the caller's own (in)."""
    query = select(TransferRequest, Member.name, Member.id_masked, GrassrootsUnion.name.label("other_union")).join(
        Member, Member.id == TransferRequest.member_id
    )
    if direction == "out":
        query = query.join(GrassrootsUnion, GrassrootsUnion.id == TransferRequest.to_union_id)
        mine = TransferRequest.from_union_id
    else:
        query = query.join(GrassrootsUnion, GrassrootsUnion.id == TransferRequest.from_union_id)
        mine = TransferRequest.to_union_id
    query = scoped(query, who, union=mine)  # a district's: its unions' (a request names unions only)
    if who.role == "district":
        query = query.where(mine.in_(select(GrassrootsUnion.id).where(GrassrootsUnion.district_id == who.district_id)))
    if status:
        query = query.where(TransferRequest.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(TransferRequest.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return total, list(rows)


# ------------------------------------------------------------------ uploads and sync runs


def upload_page(
    session,
    who: Identity,
    lock_key: str,
    kind: str | None = None,
    union_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[int, list[UploadJob]]:
    """(total, a page of upload jobs, newest first) a caller may see: a union its own, a district
    its unions' and its own (`lock_key`), the centre any; without their rows."""
    query = select(UploadJob).options(defer(UploadJob.errors), defer(UploadJob.result))
    query = scoped(query, who, union=UploadJob.union_id)
    if who.role == "district":
        query = query.where(
            or_(
                UploadJob.lock_key == lock_key,
                UploadJob.union_id.in_(
                    select(GrassrootsUnion.id).where(GrassrootsUnion.district_id == who.district_id)
                ),
            )
        )
    if union_id is not None:
        query = query.where(UploadJob.union_id == union_id)
    if kind:
        query = query.where(UploadJob.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(session.scalars(query.order_by(UploadJob.id.desc()).offset((page - 1) * per_page).limit(per_page)))
    return total, items


def _run_people(job_id: int, category: str):
    """A sync run's stored C or D people (sync_run_items): name, masked ID number, member number,
    and the union they were in (C: another; D: this one) with its contact and district."""
    source = GrassrootsUnion.__table__.alias("source")
    district = District.__table__.alias("source_district")
    return (
        select(
            Member.name,
            Member.id_masked,
            Member.member_no,
            source.c.name.label("union_name"),
            source.c.contact_person,
            source.c.phone,
            district.c.name.label("district_name"),
        )
        .select_from(SyncRunItem)
        .join(Member, Member.id == SyncRunItem.member_id)
        .outerjoin(source, source.c.id == SyncRunItem.from_union_id)
        .outerjoin(district, district.c.id == source.c.district_id)
        .where(SyncRunItem.job_id == job_id, SyncRunItem.category == category)
    )


def run_people_page(session, job_id: int, category: str, page: int = 1, per_page: int = 50) -> tuple[int, list]:
    """(total, a page of) a sync run's C or D people, in the order the run found them."""
    total = session.scalar(
        select(func.count())
        .select_from(SyncRunItem)
        .where(SyncRunItem.job_id == job_id, SyncRunItem.category == category)
    )
    rows = session.execute(
        _run_people(job_id, category).order_by(SyncRunItem.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return total, rows


def run_people(session, job_id: int, category: str) -> list:
    """Every one of a sync run's C or D people, in the order the run found them."""
    return list(session.execute(_run_people(job_id, category).order_by(SyncRunItem.id)))


def run_transfer_requests(session, job_id: int) -> list:
    """The transfer requests a sync run made (C), as they stand now: the member's name and masked
    number, the request's status and reason, the source union (name, contact, phone, district)."""
    source = GrassrootsUnion.__table__.alias("source")
    district = District.__table__.alias("source_district")
    return list(
        session.execute(
            select(
                Member.name,
                Member.id_masked,
                TransferRequest.status,
                TransferRequest.reason,
                source.c.name,
                source.c.contact_person,
                source.c.phone,
                district.c.name.label("district"),
            )
            .join(Member, Member.id == TransferRequest.member_id)
            .join(source, source.c.id == TransferRequest.from_union_id)
            .join(district, district.c.id == source.c.district_id)
            .where(TransferRequest.job_id == job_id)
            .order_by(TransferRequest.id)
        )
    )


def run_moved_and_unsynced(session, job_id: int) -> list:
    """(category, name, masked ID number) of a sync run's B (moved in) and D (marked 未同步) people."""
    return list(
        session.execute(
            select(SyncRunItem.category, Member.name, Member.id_masked)
            .join(Member, Member.id == SyncRunItem.member_id)
            .where(SyncRunItem.job_id == job_id, SyncRunItem.category.in_(("B", "D")))
            .order_by(SyncRunItem.category, SyncRunItem.id)
        )
    )


# ------------------------------------------------------------------ ID lookups (decision 0021)


def roster_size(session, union_id: int | None) -> int:
    return session.scalar(select(func.count()).select_from(Member).where(Member.union_id == union_id))


def locked_lookup_day(session, union_id: int | None, day: date) -> IdLookupDay:
    """The union's row for the day, made if missing and locked until the transaction ends, so two
    processes counting for one union at once add up rather than overwrite each other."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(IdLookupDay)
    session.execute(
        insert.values(
            union_id=union_id, day=day, rows=0, runs=0, refusals=0, refused_rows=0, allowance=0
        ).on_conflict_do_nothing()
    )
    return session.scalar(
        select(IdLookupDay).where(IdLookupDay.union_id == union_id, IdLookupDay.day == day).with_for_update()
    )


def lookup_day_page(
    session,
    day_from=None,
    day_to=None,
    union_id: int | None = None,
    refused: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[int, list]:
    """(total, a page of rows: the day's counts with the union's and district's names), newest
    day first, the busiest union first within a day."""
    query = (
        select(
            IdLookupDay,
            GrassrootsUnion.name.label("union_name"),
            District.id.label("district_id"),
            District.name.label("district_name"),
        )
        .join(GrassrootsUnion, GrassrootsUnion.id == IdLookupDay.union_id)
        .join(District, District.id == GrassrootsUnion.district_id)
    )
    if day_from is not None:
        query = query.where(IdLookupDay.day >= day_from)
    if day_to is not None:
        query = query.where(IdLookupDay.day <= day_to)
    if union_id is not None:
        query = query.where(IdLookupDay.union_id == union_id)
    if refused is not None:
        query = query.where(IdLookupDay.refusals > 0 if refused else IdLookupDay.refusals == 0)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(
        query.order_by(IdLookupDay.day.desc(), IdLookupDay.rows.desc(), IdLookupDay.union_id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return total, list(rows)


def fact_changes_in_scope(session, who: Identity, state: str | None) -> list[UnionFactChange]:
    """登记信息变更 in 组织审核: a district's — its unions' asks and the moves into it — a union's
    own, the centre's all; newest first."""
    query = select(UnionFactChange)
    if who.role == "district":
        query = query.where(
            or_(UnionFactChange.from_district_id == who.district_id, UnionFactChange.to_district_id == who.district_id)
        )
    elif who.role == "grassroots":
        query = query.where(UnionFactChange.union_id == who.union_id)
    elif who.role != "centre":
        return []
    if state:
        query = query.where(UnionFactChange.state == state)
    return list(session.scalars(query.order_by(UnionFactChange.id.desc()).limit(500)))


def open_fact_change(session, union_id: int) -> int | None:
    return session.scalar(
        select(UnionFactChange.id).where(
            UnionFactChange.union_id == union_id, UnionFactChange.state.in_(("pending", "awaiting"))
        )
    )
