"""What each event tells whom, in the words a clerk reads: pure functions from an event's typed
facts (domain/facts.py, and what the service knows of its batch) to messages. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.notifications.domain.facts import (
    Document,
    MemberRejected,
    PaymentReminder,
    SubmissionReturned,
    TransferDecided,
    TransfersRequested,
)


@dataclass(frozen=True)
class Message:
    audience: str  # union | district | centre
    audience_id: int
    kind: str
    title: str
    body: str
    link: str


MODE_NAMES = {"centralised": "集中参保", "instant": "即时参保"}


def submission_returned(fact: SubmissionReturned) -> list[Message]:
    mode = MODE_NAMES.get(str(fact.mode), "参保")
    return [
        Message(
            "union",
            fact.union_id,
            "submission_returned",
            f"{fact.cover_year}年度{mode}提交被区局退回",
            f"你会提交的{fact.cover_year}年度{mode}信息已被区局退回。"
            f"退回原因：{fact.reason or '（未填写）'}。请修改后重新提交。",
            "/union/enrolment",
        )
    ]


def member_rejected(fact: MemberRejected) -> list[Message]:
    if fact.union_id is None:
        return []
    return [
        Message(
            "union",
            fact.union_id,
            "member_rejected",
            f"会员 {fact.name} 审核未通过",
            f"区局驳回了新增会员 {fact.name} 的审核，请在会员管理中查看审核说明，修改后保存即重新提交。",
            f"/union/members?member={fact.member_id}",
        )
    ]


def transfers_requested(fact: TransfersRequested) -> list[Message]:
    """Another union asked to bring members of this one over (members.transfers.requested): the
    source union must decide (会员转出审核)."""
    count, to_name = fact.count, fact.to_union_name or "其他工会"
    return [
        Message(
            "union",
            fact.from_union_id,
            "transfer_requested",
            f"{to_name} 申请转入本会 {count} 名会员",
            f"{to_name} 申请将本会 {count} 名会员转入该会，请在“会员转出审核”中同意或拒绝。",
            "/union/transfers",
        )
    ]


def transfer_decided(fact: TransferDecided) -> list[Message]:
    """The source union decided a transfer request (members.transfer.decided): the union that
    asked is told either way."""
    if fact.approved:
        return [
            Message(
                "union",
                fact.to_union_id,
                "transfer_approved",
                f"会员 {fact.name} 已转入本会",
                f"原所属工会已同意会员 {fact.name} 的转入申请，该会员现已在本会会员名单中。",
                "/union/transfers",
            )
        ]
    return [
        Message(
            "union",
            fact.to_union_id,
            "transfer_rejected",
            f"会员 {fact.name} 的转入申请被拒绝",
            f"原所属工会拒绝了会员 {fact.name} 的转入申请。原因：{fact.reason or '（未填写）'}。",
            "/union/transfers",
        )
    ]


def _batch_audiences(
    batch: dict[str, Any],
    kind: str,
    title: str,
    district_body: str,
    union_body: str,
    district_link: str = "/batches",
    union_link: str = "/union/enrolment",
) -> list[Message]:
    out = [Message("district", batch["district_id"], kind, title, district_body, district_link)]
    for union_id in sorted(set(batch.get("union_ids") or [])):
        out.append(Message("union", union_id, kind, title, union_body, union_link))
    return out


def batch_submitted(batch: dict[str, Any]) -> list[Message]:
    no, year = batch["batch_no"], batch["cover_year"]
    return _batch_audiences(
        batch,
        "batch_submitted",
        f"参保批次 {no} 已提交市职保中心",
        f"你局{year}年度参保批次 {no} 已提交市职保中心，请按缴费明细在缴费截止日前缴费并上传缴费凭证。",
        f"你会的{year}年度参保信息已由区局汇总为批次 {no} 提交市职保中心。",
    )


def batch_feedback(batch: dict[str, Any], message: str) -> list[Message]:
    no = batch["batch_no"]
    return _batch_audiences(
        batch,
        "batch_feedback",
        f"市职保中心对批次 {no} 的反馈",
        f"市职保中心对参保批次 {no} 反馈：{message}",
        f"市职保中心对你会所在参保批次 {no} 作出反馈，区局将跟进处理。",
    )


def batch_written_off(batch: dict[str, Any]) -> list[Message]:
    no = batch["batch_no"]
    return _batch_audiences(
        batch,
        "batch_written_off",
        f"参保批次 {no} 已核销",
        f"参保批次 {no} 的缴费已由市职保中心核销，批次内会员保障生效。",
        f"你会所在参保批次 {no} 已核销，会员保障生效。",
    )


def batch_failed(batch: dict[str, Any]) -> list[Message]:
    no = batch["batch_no"]
    return _batch_audiences(
        batch,
        "batch_failed",
        f"参保批次 {no} 逾期未缴费，参保失败",
        f"参保批次 {no} 在缴费截止日前未完成缴费，批次内参保全部无效；如需参保，请按即时参保流程另行办理。",
        f"你会所在参保批次 {no} 逾期未缴费，参保无效；如需参保，请按即时参保流程另行办理。",
    )


def notice_ready(doc: Document) -> list[Message]:
    """documents.document.ready: a grassroots notice (告知书) or an instant one for the union, a
    district notice (CB or JB batch) for the district; a version above 1 is a regenerated notice.
    What the notice is about comes in words (`about`), never as its `subject` key."""
    version = doc.version
    verb = "已更新" if version > 1 else "已生成"
    year, about = doc.cover_year, doc.about
    kind = doc.kind
    if kind == "grassroots_notice" and doc.union_id is not None:
        return [
            Message(
                "union",
                doc.union_id,
                "notice_ready",
                f"{year}年度参保告知书{verb}",
                f"你会{year}年度集中参保告知书{verb}（第 {version} 版），请下载查看。",
                "/documents",
            )
        ]
    if kind == "instant_notice" and doc.union_id is not None:
        what = f"{about}的即时参保告知书" if about else f"你会{year}年度即时参保告知书"
        return [
            Message(
                "union",
                doc.union_id,
                "notice_ready",
                f"{year}年度即时参保告知书{verb}",
                f"{what}{verb}（第 {version} 版），请下载查看。",
                "/documents",
            )
        ]
    if kind in ("district_notice", "instant_district_notice") and doc.district_id is not None:
        name = "区局告知书" if kind == "district_notice" else "区局即时参保告知书"
        what = f"{about}的{name}" if about else f"{year}年度参保批次的{name}"
        return [
            Message(
                "district",
                doc.district_id,
                "notice_ready",
                f"{name}{verb}",
                f"{what}{verb}（第 {version} 版），请下载查看。",
                "/documents",
            )
        ]
    return []


def notice_withdrawn(doc: Document) -> list[Message]:
    """documents.document.withdrawn: a union's notice (告知书) no longer counts because its
    submission was returned — the union is told which, why, and which version counts now."""
    if doc.union_id is None or doc.kind not in ("grassroots_notice", "instant_notice"):
        return []
    year, version = doc.cover_year, doc.version
    name = "即时参保告知书" if doc.kind == "instant_notice" else "集中参保告知书"
    what = f"{doc.about}的告知书" if doc.about else f"你会{year}年度{name}"
    what += f"（第 {version} 版）"
    current = doc.current_version
    now = (
        f"现行有效的是第 {current} 版，请下载查看并以其为准。"
        if current
        else "目前没有有效的告知书，请修改后重新提交，提交后将重新出具告知书。"
    )
    return [
        Message(
            "union",
            doc.union_id,
            "notice_withdrawn",
            f"{year}年度{name}已作废",
            f"{what}已作废。原因：{doc.reason or '区局退回了对应的提交'}。{now}",
            "/documents",
        )
    ]


def payment_reminder(fact: PaymentReminder) -> list[Message]:
    """催缴 at billing's step: the district, then its handler again marked escalated, then the
    centre's list of the late."""
    late = f"参保批次 {fact.batch_no} 已超过缴费期限 {fact.days_past} 天，尚欠 {fact.short_fen / 100:.2f} 元"
    if fact.step == "centre_list":
        title = f"参保批次 {fact.batch_no} 列入逾期名单"
        return [Message("centre", 0, "payment_reminder", title, f"{late}，已两次催缴区局。", "/ageing")]
    if fact.escalated:
        title = f"【催缴升级】参保批次 {fact.batch_no} 仍未缴清"
    else:
        title = f"催缴：参保批次 {fact.batch_no} 仍未缴清"
    to = f"{fact.handler_name}（经办人）：" if fact.escalated and fact.handler_name else ""
    body = f"{to}{late}，请尽快缴费并上传缴费凭证。"
    return [Message("district", fact.district_id, "payment_reminder", title, body, "/batches")]
