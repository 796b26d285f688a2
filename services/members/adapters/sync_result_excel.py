"""The sync's result workbook (导出结果): one row per person a run moved in, asked for, or marked
未同步 — or, for a dry run (预检), would — with what happened to them in words; the count of every
category A–E on a 汇总 sheet; the errors on a further sheet when the run was refused. The rows are
read by adapters/queries.py (run_people, run_transfer_requests, run_moved_and_unsynced)."""

from __future__ import annotations

from common import excel
from common.excel import COUNT, Column, SheetSpec
from services.members.domain.roster_sync import CATEGORIES, CATEGORY_NAMES

TRANSFER_STATES = {"pending": "待审核", "approved": "已通过", "rejected": "已驳回", "cancelled": "已取消"}


def dry_run_rows(asked_for: list, not_in_file: list) -> list[list]:
    """A dry run's rows: who it found in another union (C) and who is not in the file (D), from
    the run's stored result (queries.run_people), said as what a real sync would do with them."""
    rows = []
    for r in asked_for:
        rows.append(
            [
                r.name,
                r.id_masked,
                r.union_name,
                r.contact_person,
                r.phone,
                r.district_name,
                "预检：将申请转入",
                "在其他工会，同步后将向原单位申请转入本单位",
            ]
        )
    for r in not_in_file:
        rows.append(
            [
                r.name,
                r.id_masked,
                r.union_name,
                r.contact_person,
                r.phone,
                "",
                "预检：将标记未同步",
                "不在本次上传名单内，同步后同步状态为“否”，可进行转出操作",
            ]
        )
    return rows


def applied_rows(requests: list, moved_and_unsynced: list, own) -> list[list]:
    """An applied run's rows: its transfer requests as they stand now (queries.run_transfer_requests),
    then who moved in at once (B) and who of the union `own` was marked 未同步 (D)."""
    rows = []
    for r in requests:
        note = {
            "pending": "会员转出待原单位审核",
            "approved": "原单位已同意转出，会员已转入本单位",
            "rejected": "原单位驳回：" + (r.reason or ""),
            "cancelled": r.reason or "申请已取消",
        }[r.status]
        rows.append([r.name, r.id_masked, r[4], r.contact_person, r.phone, r.district, TRANSFER_STATES[r.status], note])
    for category, name, number in moved_and_unsynced:
        if category == "B":
            rows.append(
                [name, number, "", "", "", "", "已转入", "已录入系统但无组织的会员，已直接转入本单位，无须审核"]
            )
        else:
            rows.append(
                [
                    name,
                    number,
                    own.name,
                    own.contact_person,
                    own.phone,
                    "",
                    "未同步",
                    "不在本次上传名单内，同步状态为“否”，可进行转出操作",
                ]
            )
    return rows


RESULT_COLUMNS = [
    Column("姓名", 12),
    Column("证件号码", 22, text=True),
    Column("原所属单位", 30),
    Column("原单位负责人", 12),
    Column("原单位联系电话", 16, text=True),
    Column("原单位所属区局", 20),
    Column("审核状态", 12),
    Column("审核说明", 40),
]
ERROR_COLUMNS = [
    Column("错误行号", 10, kind=COUNT),
    Column("姓名", 12),
    Column("证件号码", 22, text=True),
    Column("错误列", 12),
    Column("错误信息", 50),
]


SUMMARY_COLUMNS = [Column("类别", 8), Column("说明", 50), Column("人数", 10, kind=COUNT)]


def workbook(rows, errors, counts: dict | None = None) -> bytes:
    """导出结果: one row per person moved in, asked for, or not in the file (what the guide's
    result lists); the count of every category A–E on a 汇总 sheet, so the rows that were
    already in this union (A, often nearly all of them) are accounted for without listing them;
    errors on a further sheet when the run was refused."""
    sheets = [SheetSpec("同步结果", RESULT_COLUMNS, rows=rows)]
    if counts:
        sheets.append(
            SheetSpec("汇总", SUMMARY_COLUMNS, rows=[[c, CATEGORY_NAMES[c], counts.get(c, 0)] for c in CATEGORIES])
        )
    if errors:
        sheets.append(
            SheetSpec(
                "错误信息",
                ERROR_COLUMNS,
                rows=([e["row"], e.get("name", ""), e.get("id_number", ""), e["column"], e["message"]] for e in errors),
            )
        )
    return excel.write_workbook(sheets)
