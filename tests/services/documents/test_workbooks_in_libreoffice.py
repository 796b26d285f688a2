"""Every workbook the system writes, opened by a real spreadsheet program (LibreOffice), not
only by openpyxl: the upload templates of members and billing (blank, and filled in as a user
would), the sync results, billing's payment detail and documents' statistics workbook, each made
by its service from known data. All files go through ONE `soffice --convert-to csv` run that
writes every sheet as shown on screen, with text cells quoted and value cells not, so that a
money cell must read as an unquoted number with two decimals equal to the ledger to the fen, a
count as an unquoted integer, a date as an unquoted yyyy-mm-dd, a moment as Shanghai wall-clock
yyyy-mm-dd hh:mm. Sheet names are checked with openpyxl: Chinese, never Sheet/Sheet1.

LibreOffice comes from deploy/system-deps.sh (libreoffice-calc-nogui); without it this test
fails, it is never skipped."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from common.money import yuan
from common.pii import mask_id
from tests.services.billing.conftest import HUANGPU, U_HP1, at, billing, set_splits  # noqa: F401 (fixture)
from tests.services.billing.test_owed_and_paid import upload as billing_upload
from tests.services.documents import contract as c
from tests.services.documents.test_statistics_workbook import season
from tests.services.members.roster_helpers import rid, upload, wait_job, xlsx
from tests.services.members.test_uploads import SYNC_FILE, sync_world

# Text CSV, UTF-8, quote all text cells, save cell contents as shown, every sheet to its own file
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true,false,false,-1"
MEMBER_TEMPLATES = ("import", "sync", "transfer_in", "transfer_out", "cards", "removals")
# What a user types into a template's first row, by column title: (value, what the sheet shows)
TYPED = {
    "金额": (500.5, "500.50"),
    "日期": (date(2020, 1, 10), "2020-01-10"),
    "出生日期": (date(1990, 1, 1), "1990-01-01"),
    "办卡日期": (date(2019, 9, 30), "2019-09-30"),
}


# ------------------------------------------------------------------ LibreOffice


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail(
            "LibreOffice (soffice) is not installed; run deploy/system-deps.sh (it installs libreoffice-calc-nogui)"
        )
    return found


def parse_csv(text: str) -> list[list[tuple[str, bool]]]:
    """LibreOffice's CSV as rows of (shown text, was it quoted, i.e. a text cell)."""
    text = text.replace("\r\n", "\n")
    rows, row, i, n = [], [], 0, len(text)
    while i < n:
        if text[i] == '"':
            parts, j = [], i + 1
            while True:
                k = text.index('"', j)
                parts.append(text[j:k])
                if text[k + 1 : k + 2] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            row.append(("".join(parts), True))
        else:
            end = re.compile(r"[^,\n]*").match(text, i).end()
            row.append((text[i:end], False))
            i = end
        if i >= n or text[i] == "\n":
            rows.append(row)
            row = []
        i += 1
    return rows


def read_in_libreoffice(program: str, books: dict[str, bytes], tmp_path) -> dict[tuple[str, str], list]:
    """{(book, sheet): rows} for every sheet of every book, in one soffice run with its own profile."""
    source, out = tmp_path / "books", tmp_path / "csv"
    source.mkdir()
    paths = []
    for name, content in books.items():
        paths.append(source / f"{name}.xlsx")
        paths[-1].write_bytes(content)
    done = subprocess.run(
        [
            program,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    sheets = {}
    for name, content in books.items():
        for sheet in load_workbook(io.BytesIO(content), read_only=True).sheetnames:
            path = out / f"{name}-{sheet}.csv"
            assert path.exists(), f"LibreOffice wrote no {path.name}: {done.returncode} {done.stdout} {done.stderr}"
            sheets[name, sheet] = parse_csv(path.read_text(encoding="utf-8"))
    return sheets


def money(fen: int) -> tuple[str, bool]:
    return yuan(fen), False  # a number cell showing yuan with exactly two decimals


def count(n: int) -> tuple[str, bool]:
    return str(n), False


def shown(text: str) -> tuple[str, bool]:
    return text, False  # a date or a moment: a value cell, shown in its format


def text(value: str) -> tuple[str, bool]:
    return value, True


EMPTY = ("", False)


# ------------------------------------------------------------------ the workbooks, from known data


def billing_books(billing) -> tuple[dict[str, bytes], dict]:
    """Both templates (filled in and imported: a credit of 500.50, a statement line), and the
    payment detail of one priced batch."""
    books = {}
    for name in ("bank-statement", "credits"):
        r = billing.centre.get(f"/templates/{name}")
        assert r.status_code == 200
        books[f"billing-template-{name}"] = r.data
        books[f"billing-filled-{name}"] = fill(
            r.data,
            {
                "区局（产业）工会": "黄浦区总工会",
                "清算年度": 2018,
                "抵扣年度": 2020,
                "付款人": "黄浦区总工会",
                "摘要": "清算",
            },
        )
    r = billing_upload(billing.centre, "/credits/import", books["billing-filled-credits"], "credits.xlsx")
    assert r.status_code == 201, r.text
    assert [c["amount_fen"] for c in billing.centre.get("/credits").json] == [50050]
    set_splits(billing)
    s1 = billing.submit(U_HP1, HUANGPU, "A+", {"centralised": 10})
    b1 = billing.batch(HUANGPU, [(s1, U_HP1, "A+", {"centralised": 10})], batch_no="CB201912300001")
    priced = next(e for e in billing.events("billing.batch.priced") if e["batch_id"] == b1)
    assert priced["credit_applied_fen"] == 50050 and priced["due_fen"] == 63000 - 50050  # odd fen on the way
    r = billing.huangpu.get(f"/batches/{b1}/payment-detail.xlsx")
    assert r.status_code == 200
    books["billing-payment-detail"] = r.data
    at("2020-01-15T10:00:00")  # the filled bank-statement template, its 日期 a date cell, imports too
    r = billing_upload(billing.centre, "/bank-statements", books["billing-filled-bank-statement"], "流水.xlsx")
    assert r.status_code == 201 and r.json["total_fen"] == 50050, r.text
    assert [(x["row"], x["paid_on"], x["amount_fen"]) for x in r.json["lines"]] == [(2, "2020-01-10", 50050)]
    return books, priced


def fill(template: bytes, values: dict) -> bytes:
    """A template with row 2 typed in (the cells keep the template's formats, as in Excel)."""
    book = load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]
    for column, cell in enumerate(sheet[1], start=1):
        if cell.value in TYPED:
            sheet.cell(2, column).value = TYPED[cell.value][0]
        elif cell.value in values:
            sheet.cell(2, column).value = values[cell.value]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ODD_FEN = {
    "premium_fen": 12345679,
    "city_subsidy_fen": 1,
    "district_share_fen": 12345677,
    "grassroots_share_fen": 1,
    "grassroots_owes_fen": 1,
}


def statistics_book(documents) -> bytes:
    """The statistics test's season, plus a union priced in odd fen whose submission time is in UTC."""
    season(documents)
    documents.feed(
        c.union(13, "上海示范贸易有限公司工会", c.DISTRICT_1),
        c.submission(105, 13, c.DISTRICT_1, "B+", 7, 7, 1, submitted_at="2019-12-01T02:15:00+00:00"),
        c.priced(105, 13, c.DISTRICT_1, "B+", 7, **ODD_FEN),
    )
    r = documents.as_("district", district_id=c.DISTRICT_1).get(f"/statistics/{c.DISTRICT_1}/2020/file")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.data


def members_books(members) -> dict[str, bytes]:
    """The six templates (blank and filled; the cards one imported), a refused sync run (errors)
    and an applied one."""
    s, world = sync_world(members)
    card_holder = world["A1"]
    books = {}
    for kind in MEMBER_TEMPLATES:
        r = s["g1"].get(f"/templates/{kind}.xlsx")
        assert r.status_code == 200
        books[f"members-template-{kind}"] = r.data
        books[f"members-filled-{kind}"] = fill(
            r.data, {"姓名": "会员1", "证件号码": rid(1), "卡号": "6222021001112220001"}
        )
    # the date-formatted 办卡日期 cell, typed as a date, is read back by the importer
    r = upload(s["g1"], "/uploads/cards", books["members-filled-cards"])
    assert r.status_code == 200 and r.get_json()["cards"] == 1, r.get_json()
    assert members.as_("centre").get(f"/members/{card_holder['id']}").get_json()["card_issued_on"] == "2019-09-30"
    refused = wait_job(
        s["g1"], upload(s["g1"], "/uploads/sync", xlsx([*SYNC_FILE, ["张一", rid(77)]])).get_json()["id"]
    )
    assert refused["state"] == "failed"
    applied = wait_job(s["g1"], upload(s["g1"], "/uploads/sync", xlsx(SYNC_FILE)).get_json()["id"])
    assert applied["state"] == "succeeded", applied
    for name, job in (("refused", refused), ("applied", applied)):
        r = s["g1"].get(f"/uploads/{job['id']}/result.xlsx")
        assert r.status_code == 200
        books[f"members-sync-{name}"] = r.data
    return books


# ------------------------------------------------------------------ the test


def test_every_workbook_reads_right_in_libreoffice(billing, documents, service, tmp_path):
    program = soffice()  # fails at once, with what to run, when LibreOffice is missing
    books, priced = billing_books(billing)
    books["documents-statistics"] = statistics_book(documents)
    books.update(members_books(service("members")))

    for name, content in books.items():
        for sheet in load_workbook(io.BytesIO(content), read_only=True).sheetnames:
            assert re.search(r"[\u4e00-\u9fff]", sheet) and not re.fullmatch(r"(?i)sheet\d*", sheet), (name, sheet)

    lo = read_in_libreoffice(program, books, tmp_path)

    # 集中参保缴费明细: billing's priced batch, to the fen
    rows = lo["billing-payment-detail", "集中参保缴费明细"]
    assert [v for v, _ in rows[0]] == [
        "保障类型",
        "参保人数",
        "参保资金总额（元）",
        "市总统一划拨（元）",
        "区局（产业）工会承担（元）",
        "基层单位承担（元）",
        "工会承担（元）",
    ]
    for line, row in zip(priced["by_type"], rows[1:], strict=False):
        assert row[1:] == [
            count(line["headcount"]),
            money(line["premium_fen"]),
            money(line["city_subsidy_fen"]),
            money(line["district_share_fen"]),
            money(line["grassroots_share_fen"]),
            money(line["union_share_fen"]),
        ]
    total, credit, due = rows[len(priced["by_type"]) + 1 :]
    assert total == [
        text("合计"),
        count(priced["headcount"]),
        money(priced["premium_fen"]),
        money(priced["city_subsidy_fen"]),
        money(priced["district_share_fen"]),
        money(priced["grassroots_share_fen"]),
        money(priced["union_share_fen"]),
    ]
    assert credit == [text("抵扣清算分配款"), EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, money(50050)]
    assert due == [text("应缴"), EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, money(12950)] and priced["due_fen"] == 12950

    # 集中参保统计表: documents' read model of the priced submissions; moments in Shanghai time
    rows = lo["documents-statistics", "2020集中参保统计表"]
    by_union = {row[0][0]: row for row in rows[1:]}
    assert by_union["上海示范物流有限公司工会"][3:10] == [
        count(1),
        count(4),
        money(10400),
        money(5200),
        money(5200),
        money(0),
        count(0),
    ]
    assert by_union["上海示范物流有限公司工会"][12] == shown("2019-11-05 10:00")
    assert by_union["上海示范科技有限公司工会"][3:10] == [
        count(2),
        count(5),
        money(45000),
        money(20000),
        money(15000),
        money(10000),
        count(0),
    ]
    assert by_union["上海示范科技有限公司工会"][12] == shown("2019-12-20 09:30")
    odd = by_union["上海示范贸易有限公司工会"]
    assert odd[1] == text("91310101MA1FL0013X") and odd[12] == shown("2019-12-01 10:15")  # 02:15 UTC
    assert odd[3:10] == [count(1), count(7), money(12345679), money(1), money(12345677), money(1), count(0)]
    assert by_union["合计"][3:10] == [
        count(4),
        count(16),
        money(10400 + 45000 + 12345679),
        money(5200 + 20000 + 1),
        money(5200 + 15000 + 12345677),
        money(0 + 10000 + 1),
        count(0),
    ]

    # 同步结果: counts on 汇总, row numbers on 错误信息, IDs as text
    summary = lo["members-sync-applied", "汇总"]
    assert {row[0][0]: row[2] for row in summary[1:]} == {
        k: count(n) for k, n in {"A": 2, "B": 1, "C": 1, "D": 2, "E": 0}.items()
    }
    result = lo["members-sync-applied", "同步结果"]
    assert {row[1] for row in result[1:]} == {text(mask_id(rid(n))) for n in (3, 4, 5, 6)}  # masked, as every answer
    errors = lo["members-sync-refused", "错误信息"]
    assert errors[1][0] == count(6) and errors[1][2] == text(mask_id(rid(77)))  # masked (PIPL)

    # Templates: typed-in money shows two decimals, dates show as dates, IDs stay text
    for kind in (*MEMBER_TEMPLATES, "bank-statement", "credits"):
        service_name = "billing" if kind in ("bank-statement", "credits") else "members"
        sheet = load_workbook(io.BytesIO(books[f"{service_name}-filled-{kind}"]), read_only=True).sheetnames[0]
        header, typed = lo[f"{service_name}-filled-{kind}", sheet][:2]
        assert (
            "填写说明" in load_workbook(io.BytesIO(books[f"{service_name}-template-{kind}"]), read_only=True).sheetnames
        )
        for (title, _), cell in zip(header, typed, strict=False):
            if title in TYPED:
                assert cell == shown(TYPED[title][1]), (kind, title, cell)
            elif title == "证件号码":
                assert cell == text(rid(1)), (kind, cell)
