"""The payment detail e-mail (集中参保缴费明细): a real SMTP client to the configured server, or,
in the embedded mode (no SMTP_HOST), an .eml file under DATA_DIR/mail."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

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


def payment_detail_text(batch: dict, district_name: str, payee: Payee) -> str:
    instant = batch.get("mode") == "instant"
    lines = [
        f"{district_name}：",
        "",
        f"你会已提交 {batch['cover_year']} 年度{'即时' if instant else '集中'}参保批次 {batch['batch_no']}，"
        f"缴费明细如下：",
        "",
    ]
    for row in batch["by_type"]:
        lines.append(
            f"  {TYPE_NAMES.get(row['type'], row['type'])}：{row['headcount']} 人，参保费用 "
            f"{yuan(row['premium_fen'])} 元，市总统一划拨 {yuan(row['city_subsidy_fen'])} 元，"
            f"工会承担 {yuan(row['union_share_fen'])} 元"
        )
    lines += [
        "",
        f"合计 {batch['headcount']} 人，参保资金总额 {yuan(batch['premium_fen'])} 元，"
        f"市总统一划拨 {yuan(batch['city_subsidy_fen'])} 元，工会承担 {yuan(batch['union_share_fen'])} 元。",
        f"抵扣清算分配款 {yuan(batch['credit_applied_fen'])} 元，尚需缴纳 {yuan(batch['due_fen'])} 元"
        + (f"，请于 {batch['pay_by']} 之前划入如下帐户：" if batch.get("pay_by") else "，请划入如下帐户："),
        "",
        f"户名：{payee.account_name}",
        f"帐号：{payee.account_no}",
        f"开户行：{payee.bank}",
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
    """The e-mailed attachment and the download: amounts in fen, the cells in yuan (common.excel)."""
    columns = [
        Column("保障类型", 12),
        Column("参保人数", 10, kind=COUNT),
        Column("参保费用（元）", 16, kind=MONEY),
        Column("市总统一划拨（元）", 18, kind=MONEY),
        Column("工会承担（元）", 16, kind=MONEY),
    ]
    rows = [
        [
            TYPE_NAMES.get(r["type"], r["type"]),
            r["headcount"],
            r["premium_fen"],
            r["city_subsidy_fen"],
            r["union_share_fen"],
        ]
        for r in batch["by_type"]
    ]
    rows.append(["合计", batch["headcount"], batch["premium_fen"], batch["city_subsidy_fen"], batch["union_share_fen"]])
    rows.append(["抵扣清算分配款", "", "", "", batch["credit_applied_fen"]])
    rows.append(["尚需缴纳", "", "", "", batch["due_fen"]])
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
