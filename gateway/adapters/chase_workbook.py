"""The district's 基层工会 list as a workbook (the same rows and figures as the page), for a clerk
who phones through it offline."""

from __future__ import annotations

from common.excel import COUNT, MOMENT, MONEY, TEXT, Column, SheetSpec, write_workbook

COLUMNS = [
    Column("单位名称", 32),
    Column("统一社会信用代码", 22, kind=TEXT),
    Column("登记方式", 14),
    Column("账号状态", 10),
    Column("代办员", 12),
    Column("联系电话", 14, kind=TEXT),
    Column("最近登录", 18, kind=MOMENT),
    Column("参保状态", 10),
    Column("办理进度", 18),
    Column("退回原因", 30),
    Column("参保人数", 10, kind=COUNT),
    Column("最近提交", 18, kind=MOMENT),
    Column("应缴（元）", 14, kind=MONEY),
    Column("已缴（元）", 14, kind=MONEY),
    Column("欠缴（元）", 14, kind=MONEY),
]


def workbook(rows: list[dict]) -> bytes:
    return write_workbook(
        [
            SheetSpec(
                "基层工会",
                COLUMNS,
                (
                    (
                        r.get("name") or "名录中未找到",
                        r.get("credit_code"),
                        r["registered_via_text"],
                        r["account_state_text"],
                        r.get("clerk_name"),
                        r.get("clerk_mobile"),
                        r.get("last_login_at"),
                        r.get("state_text"),
                        r.get("submission_status_text"),
                        r.get("return_reason"),
                        r.get("headcount", 0),
                        r.get("submitted_at"),
                        r.get("due_fen", 0),
                        r.get("paid_fen", 0),
                        r.get("owing_fen", 0),
                    )
                    for r in rows
                ),
            )
        ]
    )
