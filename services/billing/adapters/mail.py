"""The payment detail e-mail (集中参保缴费明细): a real SMTP client to the configured server, or,
in the embedded mode (no SMTP_HOST), an .eml file under DATA_DIR/mail."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from common import terms
from common.config import data_dir, private_folder, write_private
from common.excel import CONTENT_TYPE, COUNT, MONEY, Column, SheetSpec, write_workbook
from common.money import yuan
from common.smtp import MailSettings, date_header
from services.billing.settings import Payee

TYPE_NAMES = {"A": "A类", "A+": "A+类", "B": "B类", "B+": "B+类"}


def payee_of(batch: dict, configured: Payee) -> Payee:
    """The account the batch was priced with (in `billing.batch.priced` since schema 2), else the
    configured one (an event of schema 1, read for one release)."""
    given = batch.get("payee")
    return Payee(**given) if isinstance(given, dict) else configured


def _split(row: dict) -> bool:
    """Whether billing kept the union share's split for this batch (priced from schema 3 on)."""
    return row.get("district_share_fen") is not None and row.get("grassroots_share_fen") is not None


def _amounts(row: dict, split: bool) -> str:
    """参保资金总额 and who bears it, in the terms of docs/terms.md."""
    parts = f"{terms.PREMIUM.name} {yuan(row['premium_fen'])} 元，{terms.CITY_SUBSIDY.name} {yuan(row['city_subsidy_fen'])} 元，"
    if split:
        return parts + (
            f"{terms.DISTRICT_SHARE.name} {yuan(row['district_share_fen'])} 元，{terms.GRASSROOTS_SHARE.name} "
            f"{yuan(row['grassroots_share_fen'])} 元（{terms.UNION_SHARE.name} {yuan(row['union_share_fen'])} 元）"
        )
    return parts + f"{terms.UNION_SHARE.name} {yuan(row['union_share_fen'])} 元"


def payment_detail_text(batch: dict, district_name: str, payee: Payee) -> str:
    instant = batch.get("mode") == "instant"
    split = _split(batch) and all(_split(row) for row in batch["by_type"])
    lines = [
        f"{district_name}：",
        "",
        f"你会已提交 {batch['cover_year']} 年度{'即时' if instant else '集中'}参保批次 {batch['batch_no']}，"
        f"缴费明细如下：",
        "",
    ]
    for row in batch["by_type"]:
        lines.append(f"  {TYPE_NAMES.get(row['type'], row['type'])}：{row['headcount']} 人，{_amounts(row, split)}")
    lines += [
        "",
        f"合计 {batch['headcount']} 人，{_amounts(batch, split)}。",
        f"{terms.CREDIT.name}清算分配款 {yuan(batch['credit_applied_fen'])} 元，{terms.DUE.name} {yuan(batch['due_fen'])} 元"
        + (f"，请于 {batch['pay_by']} 之前划入如下账户：" if batch.get("pay_by") else "，请划入如下账户："),
        "",
        f"户名：{payee.account_name}",
        f"账号：{payee.account_no}",
        f"开户行：{payee.bank}",
        f"{terms.MEMO}：{terms.batch_memo(batch['batch_no'])}（划款时请注明，以便核对）",
        "",
        "逾期未划款，则本批次参保无效，需另行办理即时参保手续。"
        if instant
        else "逾期未划款，则按照即时参保流程另行办理参保手续。",
        "",
        "上海市总工会职工援助服务中心",
        "上海市职工保障互助中心",
    ]
    return "\n".join(lines)


def payment_detail_workbook(batch: dict) -> bytes:
    """The e-mailed attachment and the download: amounts in fen, the cells in yuan (common.excel),
    headed with the terms of docs/terms.md; the split only for a batch billing priced with it."""
    split = _split(batch) and all(_split(row) for row in batch["by_type"])
    named = [terms.PREMIUM, terms.CITY_SUBSIDY, *((terms.DISTRICT_SHARE, terms.GRASSROOTS_SHARE) if split else ())]
    columns = [
        Column("保障类型", 12),
        Column("参保人数", 10, kind=COUNT),
        *(Column(t.label(), 18, kind=MONEY) for t in named),
        Column(terms.UNION_SHARE.label(), 16, kind=MONEY),
    ]

    def amounts(row: dict) -> list:
        return [row[t.field] for t in named] + [row["union_share_fen"]]

    rows = [[TYPE_NAMES.get(r["type"], r["type"]), r["headcount"], *amounts(r)] for r in batch["by_type"]]
    rows.append(["合计", batch["headcount"], *amounts(batch)])
    blanks = [""] * len(named)
    rows.append([f"{terms.CREDIT.name}清算分配款", "", *blanks, batch["credit_applied_fen"]])
    rows.append([terms.DUE.name, "", *blanks, batch["due_fen"]])
    return write_workbook([SheetSpec("集中参保缴费明细", columns, rows)])


def build_message(
    batch: dict, district_name: str, recipient: str, settings: MailSettings, payee: Payee
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"集中参保缴费明细 {batch['batch_no']}"
    message["From"] = settings.sender
    message["To"] = recipient
    message["Date"] = date_header()
    message["Message-ID"] = make_msgid(idstring=batch["batch_no"])
    message.set_content(payment_detail_text(batch, district_name, payee_of(batch, payee)))
    maintype, subtype = CONTENT_TYPE.split("/")
    message.add_attachment(
        payment_detail_workbook(batch),
        maintype=maintype,
        subtype=subtype,
        filename=f"集中参保缴费明细-{batch['batch_no']}.xlsx",
    )
    return message


def send_payment_detail(batch: dict, district_name: str, recipient: str, settings: MailSettings, payee: Payee) -> str:
    """Send it; return the transport used ('smtp' or 'file'). Raises if the server refuses
    (the consumer retries, then dead-letters)."""
    message = build_message(batch, district_name, recipient, settings, payee)
    if not settings.host:
        folder = private_folder(data_dir() / "mail")
        write_private(folder / f"{batch['batch_no']}.eml", bytes(message))
        return "file"
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password)
        smtp.send_message(message)
    return "smtp"
