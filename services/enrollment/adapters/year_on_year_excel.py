"""The workbook of 本年度与上年度对比: a summary sheet (counts and reasons) and one row per member
of either year, with the category and the reason (ID numbers masked, as in every list)."""

from __future__ import annotations

from common.excel import COUNT, Column, SheetSpec, write_workbook
from services.enrollment.domain.year_on_year import CATEGORIES


def workbook(compared: dict) -> bytes:
    year, last = compared["cover_year"], compared["from_year"]
    summary = [
        [f"{last} 年度在本会参保", compared["last_year"]],
        [f"{year} 年度可参保（含已参保）", compared["this_year"]],
        [CATEGORIES["again"], compared["again"]],
        [CATEGORIES["new"], compared["new"]],
        *[[f"　其中：{r['label']}", r["count"]] for r in compared["reasons"]["new"]],
        [CATEGORIES["gone"], compared["gone"]],
        *[[f"　其中：{r['label']}", r["count"]] for r in compared["reasons"]["gone"]],
        ["增减人数", compared["change"]],
    ]
    order = {"gone": 0, "new": 1, "again": 2}
    people = sorted(compared["all_people"], key=lambda p: (order[p["category"]], p["reason_code"], p["member_id"]))
    return write_workbook(
        [
            SheetSpec(
                f"{year}与{last}年度对比",
                [Column("项目", 36), Column("人数", 10, kind=COUNT)],
                summary,
            ),
            SheetSpec(
                "人员明细",
                [Column("姓名", 12), Column("证件号码", 22, text=True), Column("对比结果", 28), Column("原因", 28)],
                [[p["name"], p["id_masked"], CATEGORIES[p["category"]], p["reason"]] for p in people],
            ),
        ]
    )
