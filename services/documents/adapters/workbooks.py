"""The statistics workbook (集中参保统计表) as .xlsx, written with common.excel (formula-safe
cells, text ID columns, money in yuan from fen, counts, times in Beijing time, and a 口径说明
sheet saying what its figures mean)."""

from __future__ import annotations

from common import terms
from common.excel import CONTENT_TYPE, COUNT, MOMENT, MONEY, TEXT, Column, SheetSpec, write_workbook
from services.documents.domain.statistics import Statistics

XLSX = CONTENT_TYPE

COLUMNS = [
    Column("基层工会名称", 30, note="参保的基层工会"),
    Column("统一社会信用代码", 22, kind=TEXT, note="18 位，按文本保存"),
    Column("保障类型", 10, note="该工会本年度选择的保障类型", allowed="A、A+、B、B+"),
    Column("提交次数", 10, kind=COUNT, note="本年度向区局提交（未被退回）的次数"),
    Column("参保人数", 10, kind=COUNT, note="各次提交人数之和"),
    Column(terms.PREMIUM.label(), 16, kind=MONEY, note="全部保费：参保人数 × 单价（= 下列三项之和，见 docs/terms.md）"),
    Column(terms.CITY_SUBSIDY.label(), 16, kind=MONEY, note="市总工会统一划拨的补贴，无需划款"),
    Column(terms.DISTRICT_SHARE.label(), 22, kind=MONEY, note="按区局保障金额设置由区局（产业）工会承担"),
    Column(terms.GRASSROOTS_SHARE.label(), 16, kind=MONEY, note="基层工会承担（其应缴），按区局安排划入区局账户"),
    Column("未计价提交", 12, kind=COUNT, note="职保中心尚未计价的提交次数（其金额未计入本行）"),
    Column("状态", 22, note="区局审核中 / 部分已提交市职保中心 / 已提交市职保中心"),
    Column("参保批次", 22, kind=TEXT, note="已提交市职保中心的批次编号（CB+日期+序号）"),
    Column("最后提交时间", 20, kind=MOMENT, note="北京时间"),
]


def statistics_workbook(stats: Statistics) -> bytes:
    # Amounts stay fen here (the totals row too, summed in fen); common.excel makes them yuan cells.
    rows = [
        [
            line.union_name,
            line.credit_code,
            line.cover_type,
            line.submissions,
            line.headcount,
            line.premium_fen,
            line.city_subsidy_fen,
            line.district_share_fen,
            line.grassroots_share_fen,
            line.unpriced,
            line.status,
            "、".join(line.batch_nos),
            line.last_submitted_at,
        ]
        for line in stats.lines
    ]
    rows.append(
        [
            "合计",
            "",
            "",
            stats.total("submissions"),
            stats.total("headcount"),
            stats.total("premium_fen"),
            stats.total("city_subsidy_fen"),
            stats.total("district_share_fen"),
            stats.total("grassroots_share_fen"),
            stats.total("unpriced"),
            "",
            "",
            "",
        ]
    )
    title = f"{stats.cover_year}集中参保统计表"
    return write_workbook([SheetSpec(title=title, columns=COLUMNS, rows=rows), meaning_sheet()])


MEANING_TITLE = "口径说明"  # an output: what its figures mean, not how to fill it in (填写说明)


def meaning_sheet() -> SheetSpec:
    """What each column of the statistics means, and the totals row."""
    rows = [[c.title, c.note + (f"（{c.allowed}）" if c.allowed else "")] for c in COLUMNS]
    rows.append(["合计", "各基层工会之和；金额按分相加后以元显示，未计价的提交不计入金额"])
    return SheetSpec(title=MEANING_TITLE, columns=[Column("列名", 24), Column("含义", 80)], rows=rows)


def filename(stats: Statistics) -> str:
    return f"{stats.cover_year}集中参保统计表_{stats.district_name}.xlsx"
