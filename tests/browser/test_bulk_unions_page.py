"""工会批量导入 clicked through (issue 27 item 4): a district opens its 工会批量导入 page, uploads a
workbook with wrong rows and reads every row's error (nothing registered), then the corrected
one and watches it through to 处理完成 with its counts; the clerk's account is then there,
inactive, waiting for its activation mail."""

from __future__ import annotations

import io

import openpyxl
from playwright.sync_api import expect

from deploy.seed import credit_code
from tests.season import ok

HEADER = [
    "层级",
    "名称",
    "统一社会信用代码",
    "所属区局（产业）工会",
    "区局类型",
    "代办员姓名",
    "代办员手机",
    "代办员邮箱",
    "用户名",
]


def _workbook(path, rows) -> str:
    book = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _row(n: int, username: str, **over) -> list:
    row = {
        "名称": f"批量页面{n}公司工会",
        "统一社会信用代码": credit_code(f"91310101MA1BP000{n}"),
        "用户名": username,
    }
    row.update(over)
    return [
        "基层工会",
        row["名称"],
        row["统一社会信用代码"],
        "",
        "",
        f"页面代办{n}",
        f"1360000010{n}",
        f"bulk{n}@typed.example.cn",
        row["用户名"],
    ]


def test_a_district_loads_its_unions_and_reads_every_error_first(system, person, tmp_path):
    district = person("district")
    page = district.open("/district/uploads")
    expect(page.locator("h1")).to_have_text("工会批量导入")
    expect(page.locator("#kind")).to_contain_text("工会批量导入")
    expect(page.locator("#template")).to_have_attribute("href", "/api/v1/members/templates/unions.xlsx")

    bad = _workbook(tmp_path / "bad.xlsx", [_row(1, "bulk.page1"), _row(2, "bulk.page1"), _row(3, "x")])
    page.locator("#file").set_input_files(bad)
    page.get_by_role("button", name="上传").click()
    outcome = page.locator("#outcome")
    expect(outcome).to_contain_text("未做任何修改", timeout=60_000)
    rows = page.locator("#rows")
    expect(rows).to_contain_text("与第 2 行重复")
    expect(rows).to_contain_text("用户名为 3–64 位字母、数字或 _ . -")
    expect(rows).to_contain_text("批量页面3公司工会")

    good = _workbook(tmp_path / "good.xlsx", [_row(1, "bulk.page1"), _row(2, "bulk.page2")])
    page.locator("#file").set_input_files(good)
    page.get_by_role("button", name="上传").click()
    expect(outcome).to_contain_text("处理完成", timeout=60_000)
    expect(outcome).to_contain_text("新登记基层工会：2")
    expect(outcome).to_contain_text("待激活代办员账号（激活邮件已排队发送）：2")
    expect(page.locator("#history")).to_contain_text("good.xlsx")

    centre = system.login("centre")

    def clerks():
        return [
            a
            for a in ok(centre.get("/api/v1/accounts", params={"q": "bulk.page"}))
            if a["username"] in ("bulk.page1", "bulk.page2")
        ]

    system.wait_for(lambda: len(clerks()) == 2, timeout=60, message="the clerks' accounts")
    assert {(a["active"], a["role"]) for a in clerks()} == {(False, "grassroots")}
