"""Reading a bank statement file as the bank exported it (银行流水文件), judged by its bytes, never
by its name:

- `.xlsx` / `.xls`: common.excel's checked reader (size, zip bombs, encryption), first sheet;
- CSV (or tab-separated text, which some banks save as ".xls"): UTF-8 (with or without a BOM),
  UTF-16 with a BOM, else GB18030 — the superset of GBK that Chinese banks' exports are written
  in; the encoding detected is said on the result. Python's csv module reads it (a state machine,
  no regular expression), the field size and the line count bounded;
- ISO 20022 CAMT.053 XML (what banks' host-to-host channels deliver): defusedxml with DTDs,
  entities and external references forbidden, after the same size cap, and a cap on entries.

The rows then go through the layout table and the cell rules of domain/statement_layout.py."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable

from common.excel import MAX_UPLOAD_BYTES, XLS_MAGIC, XLSX_MAGIC, UploadTooLarge, read_upload
from services.billing.domain.statement import Line
from services.billing.domain.statement_layout import (
    AMOUNT,
    DATE,
    HEADER_SEARCH_ROWS,
    MAX_LINES,
    MAX_ROW_ERRORS,
    MAX_TEXT,
    MEMO,
    PAYER,
    ROLE_NAMES,
    SERIAL,
    CellInvalid,
    StatementRead,
    StatementUnreadable,
    find_header,
    parse_amount,
    parse_date,
    read_table,
)

CSV_DELIMITERS = (",", "\t", ";", "|")
# files people pick by mistake: said by name rather than read as text that has no header
OTHER_FILES = (
    (b"%PDF-", "PDF 文件"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
)
FORMATS = "请从网银导出 Excel（.xlsx 或 .xls）、CSV 或 CAMT.053（XML）格式的交易明细后导入"
CAMT_NAME = "ISO 20022 CAMT.053 银行对账单"


def read_bank_statement(content: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> StatementRead:
    """The statement's credit lines and what was recognised, or StatementUnreadable / the upload
    checks' refusal (422, 413 for too large) saying what is wrong. Nothing is imported on a refusal."""
    if not content:
        raise StatementUnreadable("上传的文件是空的", code="UPLOAD_EMPTY")
    if len(content) > max_bytes:
        raise UploadTooLarge(
            f"文件过大（{len(content) / 1048576:.1f} MB），上限为 {max_bytes // 1048576} MB，请按时间分段导出后分批导入"
        )
    if content.startswith((XLSX_MAGIC, XLS_MAGIC)):
        sheet = read_upload(content, max_bytes)
        kind = "xlsx" if content.startswith(XLSX_MAGIC) else "xls"
        return read_table(sheet.rows, kind, sheet=sheet.name)
    for magic, what in OTHER_FILES:
        if content.startswith(magic):
            raise StatementUnreadable(f"上传的文件是{what}，不是银行流水：{FORMATS}", code="STATEMENT_FORMAT_UNKNOWN")
    text, encoding = decode(content)
    start = text.lstrip()[:200].lower()
    if start.startswith("<"):
        if "<html" in start or "<table" in start or "<!doctype html" in start:
            raise StatementUnreadable(
                "此文件实为网页（HTML）格式，并非 Excel 工作簿：请用 Excel 或 WPS 打开后另存为 .xlsx"
                " 再导入，或从网银导出 CSV",
                code="STATEMENT_HTML",
            )
        return read_camt053(content)
    return read_csv(text, encoding)


# ------------------------------------------------------------------ CSV


def decode(content: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was written in. Strict decoding: a byte sequence
    that is not valid in any of them is refused, never replaced by guesses."""
    if b"\x00" in content[:4096] and not content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise StatementUnreadable(
            f"上传的文件不是 Excel 工作簿、CSV 文本或 CAMT.053 对账单，无法读取：{FORMATS}",
            code="STATEMENT_FORMAT_UNKNOWN",
        )
    attempts: list[tuple[bytes, str, str]] = [
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    ]
    for bom, codec, label in attempts:
        if content.startswith(bom):
            try:
                return content.decode(codec), label
            except UnicodeDecodeError:
                break
    else:
        for codec, label in (("utf-8", "UTF-8"), ("gb18030", "GB18030（GBK）")):
            try:
                return content.decode(codec), label
            except UnicodeDecodeError:
                continue
    raise StatementUnreadable(
        "无法识别文件的文字编码：CSV 应为 UTF-8 或 GBK/GB18030 编码（网银导出的默认编码），请另存为 .xlsx 后导入",
        code="STATEMENT_ENCODING",
    )


def _rows(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
            if len(rows) > MAX_LINES + HEADER_SEARCH_ROWS + 1000:
                raise StatementUnreadable(
                    f"银行流水超过 {MAX_LINES:,} 行，请按时间分段导出后分批导入", code="STATEMENT_TOO_LONG"
                )
    except csv.Error:
        raise StatementUnreadable(
            f"CSV 文件第 {reader.line_num} 行无法读取（引号不配对或单元格过长），请核对", code="STATEMENT_CSV_INVALID"
        ) from None
    return rows


def read_csv(text: str, encoding: str) -> StatementRead:
    """The delimiter is the one whose first rows hold a header the layout table knows (commas,
    then tabs, semicolons, bars — the most frequent first)."""
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])
    ordered = sorted(CSV_DELIMITERS, key=lambda d: -head.count(d))
    refusal: StatementUnreadable | None = None
    for delimiter in ordered:
        try:
            find_header(_rows(text, delimiter, limit=HEADER_SEARCH_ROWS))  # records: a quoted cell may span lines
        except StatementUnreadable as exc:
            refusal = refusal or exc
            continue
        names = {",": "逗号", "\t": "制表符", ";": "分号", "|": "竖线"}
        return read_table(_rows(text, delimiter), "csv", encoding=encoding, delimiter=names[delimiter])
    assert refusal is not None
    raise refusal


# ------------------------------------------------------------------ CAMT.053


def read_camt053(content: bytes) -> StatementRead:
    """Each booked credit entry (Ntry, CdtDbtInd CRDT) in CNY a line; an entry that books several
    transactions (TxDtls, each with its own amount) a line each. Debits and entries not booked
    (pending) are skipped and counted."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise StatementUnreadable(
            "XML 文件含有 DTD 或实体声明，出于安全原因拒绝读取", code="STATEMENT_XML_UNSAFE"
        ) from None
    except ParseError as exc:
        raise StatementUnreadable(
            f"XML 文件格式错误（{exc.position[0]} 行），无法读取", code="STATEMENT_XML_INVALID"
        ) from None
    namespace = root.tag[1 : root.tag.index("}")] if root.tag.startswith("{") else ""
    if root.tag.rsplit("}", 1)[-1] != "Document" or "camt.053" not in namespace:
        raise StatementUnreadable(
            "XML 文件不是 CAMT.053 银行对账单（ISO 20022 camt.053），无法读取", code="STATEMENT_NOT_CAMT053"
        )
    ns = "{" + namespace + "}"

    def path(*steps: str) -> str:
        return "/".join(ns + s for s in steps)

    def text_at(element, *steps: str) -> str:
        found = element.find(path(*steps))
        return (found.text or "").strip() if found is not None else ""

    lines: list[Line] = []
    skipped: list[int] = []
    errors: list[dict] = []
    error_count = 0
    accounts = []
    entry_no = 0
    for statement in root.iterfind(path("BkToCstmrStmt", "Stmt")):
        accounts.append(text_at(statement, "Acct", "Id", "IBAN") or text_at(statement, "Acct", "Id", "Othr", "Id"))
        for entry in statement.iterfind(ns + "Ntry"):
            entry_no += 1
            if entry_no > MAX_LINES:
                raise StatementUnreadable(
                    f"对账单超过 {MAX_LINES:,} 笔，请按时间分段导出后分批导入", code="STATEMENT_TOO_LONG"
                )
            messages: list[str] = []
            found = _camt_entry(entry, entry_no, text_at, path, messages)
            if messages:
                error_count += 1
                if len(errors) < MAX_ROW_ERRORS:
                    errors.append({"row": entry_no, "errors": messages})
            elif found:
                lines += found
            else:
                skipped.append(entry_no)
    if errors:
        more = f"（共 {error_count} 笔，以下列出前 {MAX_ROW_ERRORS} 笔）" if error_count > len(errors) else ""
        raise StatementUnreadable(
            f"对账单有以下错误{more}，请核对后重新导入（未导入任何数据）；行号为第几笔（Ntry）",
            code="ROWS_INVALID",
            rows=errors,
            error_count=error_count,
        )
    if not lines:
        raise StatementUnreadable("对账单中没有已入账的收入（贷方）记录", code="STATEMENT_EMPTY")
    return StatementRead(
        lines,
        {
            "code": "camt053",
            "name": CAMT_NAME,
            "header_row": None,
            "file_kind": "camt053",
            "version": namespace.rsplit(":", 1)[-1],
            "accounts": [a for a in accounts if a],
            "columns": [
                {"role": role, "role_name": ROLE_NAMES[role], "headers": headers}
                for role, headers in (
                    (DATE, ["Ntry/BookgDt"]),
                    (PAYER, ["TxDtls/RltdPties/Dbtr/Nm"]),
                    (AMOUNT, ["Ntry/Amt（CdtDbtInd=CRDT）"]),
                    (MEMO, ["TxDtls/RmtInf/Ustrd", "AddtlNtryInf"]),
                    (SERIAL, ["AcctSvcrRef"]),
                )
            ],
        },
        skipped,
        [],
    )


def _camt_entry(entry, entry_no: int, text_at: Callable, path: Callable, messages: list[str]) -> list[Line]:
    """The credit lines of one entry (its number is their row), or none: a debit, or not booked
    (the caller counts it as skipped when `messages` stays empty)."""
    way = text_at(entry, "CdtDbtInd")
    status = text_at(entry, "Sts") or text_at(entry, "Sts", "Cd")
    if way == "DBIT" or (status and status != "BOOK"):
        return []
    if way != "CRDT":
        messages.append(f"CdtDbtInd：应为 CRDT 或 DBIT，而不是“{way}”")
        return []
    day_text = (
        text_at(entry, "BookgDt", "Dt")
        or text_at(entry, "BookgDt", "DtTm")
        or text_at(entry, "ValDt", "Dt")
        or text_at(entry, "ValDt", "DtTm")
    )
    try:
        paid_on = parse_date(day_text)
    except CellInvalid as exc:
        messages.append(f"BookgDt：{exc}")
        return []
    transactions = entry.findall(path("NtryDtls", "TxDtls"))
    entry_memo = text_at(entry, "AddtlNtryInf")
    entry_serial = text_at(entry, "AcctSvcrRef") or text_at(entry, "NtryRef")
    amount_el = entry.find(path("Amt"))
    parts = []
    if len(transactions) > 1 and all(
        tx.find(path("Amt")) is not None or tx.find(path("AmtDtls", "TxAmt", "Amt")) is not None for tx in transactions
    ):
        for n, tx in enumerate(transactions, 1):
            amount = tx.find(path("Amt"))
            if amount is None:
                amount = tx.find(path("AmtDtls", "TxAmt", "Amt"))
            serial = text_at(tx, "Refs", "AcctSvcrRef") or (f"{entry_serial}/{n}" if entry_serial else "")
            parts.append((tx, amount, serial))
    else:
        tx = transactions[0] if transactions else None
        serial = (text_at(tx, "Refs", "AcctSvcrRef") if tx is not None else "") or entry_serial
        parts.append((tx, amount_el, serial))
    lines = []
    for tx, amount, serial in parts:
        if amount is None:
            messages.append("Amt：缺少金额")
            continue
        currency = amount.get("Ccy", "")
        if currency != "CNY":
            messages.append(f"Amt：币种为“{currency}”，只计人民币（CNY）")
            continue
        try:
            fen = parse_amount((amount.text or "").strip())
        except CellInvalid as exc:
            messages.append(f"Amt：{exc}")
            continue
        if fen <= 0:
            messages.append("Amt：金额须大于 0")
            continue
        payer, memo = "", [entry_memo] if entry_memo else []
        if tx is not None:
            payer = (
                text_at(tx, "RltdPties", "Dbtr", "Nm")
                or text_at(tx, "RltdPties", "Dbtr", "Pty", "Nm")
                or text_at(tx, "RltdPties", "UltmtDbtr", "Nm")
                or text_at(tx, "RltdPties", "UltmtDbtr", "Pty", "Nm")
            )
            memo = [e.text.strip() for e in tx.iterfind(path("RmtInf", "Ustrd")) if e.text and e.text.strip()]
            memo += [
                e.text.strip()
                for e in tx.iterfind(path("RmtInf", "Strd", "CdtrRefInf", "Ref"))
                if e.text and e.text.strip()
            ]
            extra = text_at(tx, "AddtlTxInf")
            memo += [x for x in (extra, entry_memo) if x]
        if not payer:
            messages.append("Dbtr/Nm：缺少付款人名称")
            continue
        lines.append(Line(entry_no, paid_on, payer[:MAX_TEXT], fen, " ".join(memo)[:MAX_TEXT], serial[:100]))
    return lines
