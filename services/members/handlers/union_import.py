"""工会批量导入 (bulk provisioning, issue 27 item 4): the centre loads districts and grassroots
unions with their clerks from one workbook, a district its own unions. All rows or none; every
row's errors in one answer, as for members' lists. Accepted as an upload job (its file stored,
run on members' worker, its progress polled), applied in one transaction that also publishes
the unions as `members.unions.registered` (UNITS_PER_MESSAGE a message: the read models upsert
them in sets) and the clerks' wanted accounts as `members.clerks.loaded`, which the gateway
consumes to make them inactive with activation links mailed (docs/decisions/0039).

Seams: the steps of an upload job (`uploads.start_upload`, `report_progress`, `complete_upload`,
`run_job`, `rows_rejected`, `Completed`) and `shared.commit_or_conflict` (a code taken between
the check and the commit). It offers `run_union_import` to upload_jobs (the worker's message)."""

from __future__ import annotations

from sqlalchemy import insert

from common import clock, excel
from common.db import UoW, insert_rows
from common.errors import AppError
from common.identity import Identity
from services.members import contracts
from services.members.adapters import excel as xl
from services.members.adapters import union_file
from services.members.adapters import union_import_queries as import_queries
from services.members.adapters.orm import District, GrassrootsUnion
from services.members.domain import union_import as rules
from services.members.domain.roster_sync import RowError
from services.members.handlers.shared import commit_or_conflict
from services.members.handlers.uploads import (
    Completed,
    complete_upload,
    report_progress,
    rows_rejected,
    run_job,
    start_upload,
)

KIND = "unions"


def accept_union_import(uow: UoW, who: Identity, filename: str, data: bytes) -> int:
    """Read the file (a format or header error: 422 at once, no job), then take the caller's
    upload lock and hand the import to the worker: the job, its file and its work message are
    committed together. Its progress starts at 0 / rows."""
    who.require("centre", "district")
    rows = xl.read_rows(data, KIND, xl.MAX_UNION_ROWS)
    return start_upload(
        uow,
        who,
        KIND,
        filename,
        total=len(rows),
        data=union_file.pack(rows),  # the rows as read here: the worker does not read the workbook again
        publish=(contracts.UPLOAD_ACCEPTED, {"kind": KIND, "dry_run": False, "who": _who_data(who)}),
    )


def _who_data(who: Identity) -> dict:
    return {"user": who.user, "role": who.role, "union_id": who.union_id, "district_id": who.district_id}


def run_union_import(uow: UoW, who: Identity, data: bytes, job_id: int) -> None:
    """The job's work, on the worker: recorded in the job however it ends."""
    try:
        with excel.collector_paused():
            run_job(uow, job_id, lambda j: load_unions(uow, who, data, j))
    except AppError:
        pass  # recorded in the job


def _error(p: rules.Problem) -> RowError:
    return RowError(p.row, rules.TITLES[p.field], p.message, p.name, value=p.value)


def _checked(rows, may_make_districts: bool) -> tuple[list[rules.Row], list[rules.Problem]]:
    good, problems = [], []
    for row_no, cells in rows:
        row, wrong = rules.check_row(
            row_no, {k: xl.text(v) for k, v in zip(rules.COLUMNS, cells, strict=False)}, may_make_districts
        )
        if row is None:
            problems.extend(wrong)
        else:
            good.append(row)
    return good, problems + rules.duplicates(good)


def _against_directory(uow: UoW, who: Identity, rows: list[rules.Row]) -> tuple[dict[str, int], list[rules.Problem]]:
    """Problems with what the directory and the pending 组织注册 hold; the districts by name."""
    session = uow.session
    districts = import_queries.district_ids_by_name(session)
    own = next((n for n, i in districts.items() if i == who.district_id), None) if who.role == "district" else None
    new_districts = {r.name for r in rows if r.level == rules.DISTRICT}
    unions = [r for r in rows if r.level == rules.UNION]
    problems: list[rules.Problem] = []
    for r in rows:
        if r.level == rules.DISTRICT and r.name in districts:
            problems.append(rules.Problem(r.row, "name", "已有同名的区局（产业）工会", r.name, r.name))
    codes = import_queries.credit_codes_taken(session, [r.credit_code or "" for r in unions])
    names = import_queries.union_names_taken(session, [r.name for r in unions])
    pending = {
        field: import_queries.pending_registrations_holding(session, field, values)
        for field, values in (
            ("credit_code", [r.credit_code or "" for r in unions]),
            ("name", [r.name for r in unions]),
            ("username", [r.username for r in rows]),
        )
    }
    for r in unions:
        if who.role == "district" and r.district not in ("", own):
            problems.append(rules.Problem(r.row, "district", f"只能导入本区局（{own}）的基层工会", r.name, r.district))
        elif who.role == "centre" and not r.district:
            problems.append(rules.Problem(r.row, "district", "所属区局（产业）工会不能为空", r.name))
        elif who.role == "centre" and r.district not in districts and r.district not in new_districts:
            problems.append(
                rules.Problem(r.row, "district", "系统中及本表中都没有该区局（产业）工会", r.name, r.district)
            )
        if r.credit_code in codes:
            problems.append(
                rules.Problem(r.row, "credit_code", "该统一社会信用代码已登记", r.name, r.credit_code or "")
            )
        elif r.credit_code in pending["credit_code"]:
            problems.append(
                rules.Problem(r.row, "credit_code", "该代码有待审核的组织注册申请", r.name, r.credit_code or "")
            )
        if r.name in names:
            problems.append(rules.Problem(r.row, "name", "已有同名的基层工会", r.name, r.name))
        elif r.name in pending["name"]:
            problems.append(rules.Problem(r.row, "name", "该名称有待审核的组织注册申请", r.name, r.name))
    for r in rows:
        if r.username in pending["username"]:
            problems.append(
                rules.Problem(r.row, "username", "该用户名已被待审核的组织注册申请使用", r.name, r.username)
            )
    if own is not None:
        districts = {**districts, "": districts[own]}  # a district's file may leave its own name out
    return districts, problems


def load_unions(uow: UoW, who: Identity, data: bytes, job_id: int):
    """工会批量导入: every row checked, then all applied in one transaction with the job's outcome
    and the events — or nothing, with every row's errors."""
    who.require("centre", "district")
    rows = union_file.read(data, KIND, xl.MAX_UNION_ROWS)
    total = len(rows)
    report_progress(uow, job_id, 0, total, "正在校验")
    good, problems = _checked(rows, who.role == "centre")
    errors = list(rows.formula_errors) + [_error(p) for p in problems]
    del rows
    # progress between transactions only (never while one holds SQLite's lock): the comparison and
    # the registration are one transaction, all or nothing
    report_progress(uow, job_id, total // 2, total, "正在与工会名录比对并登记")
    with uow.fresh() as work:
        districts, clashes = _against_directory(work, who, good)
        errors += [_error(p) for p in clashes]
        if errors:
            raise rows_rejected(errors, typed=True)
        now = clock.utcnow_naive()
        clerks: list[dict] = []
        made = []
        for r in (r for r in good if r.level == rules.DISTRICT):
            district = District(name=r.name, kind=r.district_kind, special_industry=False, version=1, created_at=now)
            work.session.add(district)
            made.append((r, district))
        work.session.flush()
        for r, district in made:
            districts[r.name] = district.id
            work.publish(contracts.DISTRICT_REGISTERED, contracts.district_data(district))
            clerks.append(_clerk(r, None, district.id, r.name, None))
        unions = [r for r in good if r.level == rules.UNION]
        names = {i: n for n, i in districts.items() if n}
        ids = _insert_unions(work, unions, districts, now)
        # who set the clerks' accounts up, for their mails (decision 0040): a district its own
        set_up_by = (
            next((n for n, i in districts.items() if i == who.district_id), None) if who.role == "district" else None
        )
        registered = []
        for r, union_id in zip(unions, ids, strict=True):
            district_id = districts[r.district]
            registered.append(
                {
                    "union_id": union_id,
                    "name": r.name,
                    "credit_code": r.credit_code,
                    "district_id": district_id,
                    "contact_person": r.clerk_name,
                    "phone": r.mobile,
                    "version": 1,
                }
            )
            clerks.append(_clerk(r, union_id, district_id, names[district_id], set_up_by))
        step = contracts.UNITS_PER_MESSAGE
        work.publish_many(
            [
                (contracts.UNIONS_REGISTERED, contracts.unions_registered_data(registered[i : i + step], job_id))
                for i in range(0, len(registered), step)
            ]
            + [
                (contracts.CLERKS_LOADED, contracts.clerks_loaded_data(clerks[i : i + step], job_id))
                for i in range(0, len(clerks), step)
            ]
        )
        counts = {"rows": total, "districts": len(made), "unions": len(unions), "accounts": len(clerks)}
        complete_upload(work, job_id, True, counts=counts)  # applied and finished together, or neither
        commit_or_conflict(work, "CREDIT_CODE_TAKEN", "导入期间有统一社会信用代码被登记，未做任何修改，请重新导入")
    return Completed((counts, None))


def _insert_unions(work: UoW, unions: list[rules.Row], districts: dict[str, int], now) -> list[int]:
    """Every union in one go: ids from the table's sequence and COPY on PostgreSQL, else one
    executemany with RETURNING — in the rows' order."""
    if not unions:
        return []
    table = GrassrootsUnion.__table__
    rows = [
        {
            "name": r.name,
            "credit_code": r.credit_code,
            "district_id": districts[r.district],
            "contact_person": r.clerk_name,
            "phone": r.mobile,
            "version": 1,
            "created_at": now,
        }
        for r in unions
    ]
    ids = import_queries.new_ids(work.session, table, len(rows))
    if ids is None:
        return list(
            work.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars()
        )
    insert_rows(work.session, table, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    return ids


def _clerk(r: rules.Row, union_id: int | None, district_id: int, district_name: str, set_up_by: str | None) -> dict:
    return {
        "set_up_by": set_up_by,
        "role": "grassroots" if union_id is not None else "district",
        "union_id": union_id,
        "district_id": district_id,
        "district_name": district_name,
        "unit_name": r.name,
        "username": r.username,
        "clerk_name": r.clerk_name,
        "email": r.email,
    }
