"""Bank statement files as banks export them, made for the tests and the bench: a CSV in GBK with
the bank's title rows above the header, a legacy .xls (xlwt, BIFF8), an .xlsx, and CAMT.053 XML."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

# 工商银行-like export: title rows, then 交易日期 / 对方户名 / 借方 / 贷方 / 摘要 / 用途 / 交易流水号
BANK_HEADER = [
    "交易日期",
    "对方户名",
    "对方账号",
    "借方发生额（支取）",
    "贷方发生额（收入）",
    "余额",
    "摘要",
    "用途",
    "交易流水号",
]
TITLE_ROWS = [
    ["中国工商银行 单位账户交易明细"],
    ["账号：1001234509876543210", "户名：上海市职工保障互助中心"],
    ["起止日期：2020-01-01 至 2020-01-31"],
]


def bank_rows(lines: list[tuple], serials: bool = True) -> list[list]:
    """`lines`: (date, payer, amount text (None: a debit of 500.00), memo[, serial])."""
    rows = []
    for n, item in enumerate(lines, 1):
        day, payer, amount, memo = item[:4]
        serial = item[4] if len(item) > 4 else f"HQ2020{n:08d}"
        debit, credit = ("500.00", "") if amount is None else ("", amount)
        rows.append(
            [day, payer, "6222000011112222", debit, credit, "9,999.00", "转账", memo, serial if serials else ""]
        )
    return rows


def bank_csv(lines: list[tuple], encoding: str = "gbk", serials: bool = True, delimiter: str = ",") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    header = BANK_HEADER if serials else BANK_HEADER[:-1]
    for row in TITLE_ROWS + [header] + [r if serials else r[:-1] for r in bank_rows(lines, serials)]:
        writer.writerow(row)
    writer.writerow(["合计", "", "", "", "", "", "", "", ""][: len(header)])
    return out.getvalue().encode(encoding)


def bank_xls(lines: list[tuple]) -> bytes:
    """A legacy Excel 97–2003 workbook, as many banks' 网银 still export."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("交易明细")
    for r, row in enumerate([*TITLE_ROWS, BANK_HEADER, *bank_rows(lines)]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bank_xlsx(lines: list[tuple], numbers: bool = False) -> bytes:
    """An .xlsx export; `numbers`: amounts as number cells and dates as date cells."""
    from datetime import date

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "明细"
    for row in [*TITLE_ROWS, BANK_HEADER]:
        sheet.append(row)
    for row in bank_rows(lines):
        if numbers:
            digits = (
                row[0].replace("/", "-").split("-") if not row[0].isdigit() else [row[0][:4], row[0][4:6], row[0][6:]]
            )
            row[0] = date(*(int(p) for p in digits))
            row[4] = float(row[4].replace(",", "")) if row[4] else None
            row[3] = float(row[3]) if row[3] else None
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CAMT_02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
CAMT_08 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def camt053(entries: list[dict], namespace: str = CAMT_02) -> bytes:
    """entries: {date, amount, payer, memo, ref, way ('CRDT'/'DBIT'), status ('BOOK'), ccy, txs: [..]}."""
    v08 = namespace == CAMT_08

    def party(name: str) -> str:
        inner = f"<Nm>{escape(name)}</Nm>"
        return f"<Dbtr><Pty>{inner}</Pty></Dbtr>" if v08 else f"<Dbtr>{inner}</Dbtr>"

    def tx(t: dict) -> str:
        amount = f'<Amt Ccy="{t.get("ccy", "CNY")}">{t["amount"]}</Amt>' if "amount" in t else ""
        ref = f"<Refs><AcctSvcrRef>{t['ref']}</AcctSvcrRef></Refs>" if t.get("ref") else ""
        return (
            f"<TxDtls>{ref}{amount}<RltdPties>{party(t['payer'])}</RltdPties>"
            f"<RmtInf><Ustrd>{escape(t.get('memo', ''))}</Ustrd></RmtInf></TxDtls>"
        )

    body = []
    for e in entries:
        status = f"<Sts><Cd>{e.get('status', 'BOOK')}</Cd></Sts>" if v08 else f"<Sts>{e.get('status', 'BOOK')}</Sts>"
        txs = e.get("txs") or [{"payer": e["payer"], "memo": e.get("memo", "")}]
        body.append(
            f'<Ntry><Amt Ccy="{e.get("ccy", "CNY")}">{e["amount"]}</Amt>'
            f"<CdtDbtInd>{e.get('way', 'CRDT')}</CdtDbtInd>{status}"
            f"<BookgDt><Dt>{e['date']}</Dt></BookgDt><ValDt><Dt>{e['date']}</Dt></ValDt>"
            + (f"<AcctSvcrRef>{e['ref']}</AcctSvcrRef>" if e.get("ref") else "")
            + f"<NtryDtls>{''.join(tx(t) for t in txs)}</NtryDtls></Ntry>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{namespace}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>STMT-2020-01</MsgId><CreDtTm>2020-02-01T08:00:00+08:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>2020-01</Id><Acct><Id><Othr><Id>316023-03002745697</Id></Othr></Id></Acct>"
        + "".join(body)
        + "</Stmt></BkToCstmrStmt></Document>"
    ).encode("utf-8")
