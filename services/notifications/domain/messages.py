"""What each event tells whom, in the words a clerk reads: pure functions from an event's data
(and what the service knows of its batch) to messages. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    audience: str  # union | district | centre
    audience_id: int
    kind: str
    title: str
    body: str
    link: str


MODE_NAMES = {"centralised": "集中参保", "instant": "即时参保"}


def submission_returned(data: dict[str, Any]) -> list[Message]:
    mode = MODE_NAMES.get(str(data.get("mode")), "参保")
    return [
        Message(
            "union",
            data["union_id"],
            "submission_returned",
            f"{data['cover_year']}年度{mode}提交被区局退回",
            f"你会提交的{data['cover_year']}年度{mode}信息已被区局退回。"
            f"退回原因：{data.get('reason') or '（未填写）'}。请修改后重新提交。",
            "/union/enrolment",
        )
    ]


def member_rejected(data: dict[str, Any]) -> list[Message]:
    if data.get("union_id") is None:
        return []
    return [
        Message(
            "union",
            data["union_id"],
            "member_rejected",
            f"会员 {data['name']} 审核未通过",
            f"区局驳回了新增会员 {data['name']} 的审核，请在会员管理中查看审核说明，修改后保存即重新提交。",
            f"/union/members?member={data['member_id']}",
        )
    ]


def transfers_requested(data: dict[str, Any]) -> list[Message]:
    """Another union asked to bring members of this one over (members.transfers.requested): the
    source union must decide (会员转出审核)."""
    count, to_name = data["count"], data.get("to_union_name") or "其他工会"
    return [
        Message(
            "union",
            data["from_union_id"],
            "transfer_requested",
            f"{to_name} 申请转入本会 {count} 名会员",
            f"{to_name} 申请将本会 {count} 名会员转入该会，请在“会员转出审核”中同意或拒绝。",
            "/union/transfers",
        )
    ]


def transfer_decided(data: dict[str, Any]) -> list[Message]:
    """The source union decided a transfer request (members.transfer.decided): the union that
    asked is told either way."""
    if data["approved"]:
        return [
            Message(
                "union",
                data["to_union_id"],
                "transfer_approved",
                f"会员 {data['name']} 已转入本会",
                f"原所属工会已同意会员 {data['name']} 的转入申请，该会员现已在本会会员名单中。",
                "/union/transfers",
            )
        ]
    return [
        Message(
            "union",
            data["to_union_id"],
            "transfer_rejected",
            f"会员 {data['name']} 的转入申请被拒绝",
            f"原所属工会拒绝了会员 {data['name']} 的转入申请。原因：{data.get('reason') or '（未填写）'}。",
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


def notice_ready(data: dict[str, Any]) -> list[Message]:
    """documents.document.ready: a grassroots notice (告知书) or an instant one for the union, a
    district notice (CB or JB batch) for the district; a version above 1 is a regenerated notice.
    What the notice is about comes in words (`about`), never as its `subject` key."""
    version = data.get("version", 1)
    verb = "已更新" if version > 1 else "已生成"
    year, about = data["cover_year"], data.get("about") or ""
    kind = data.get("kind")
    if kind == "grassroots_notice" and data.get("union_id") is not None:
        return [
            Message(
                "union",
                data["union_id"],
                "notice_ready",
                f"{year}年度参保告知书{verb}",
                f"你会{year}年度集中参保告知书{verb}（第 {version} 版），请下载查看。",
                "/documents",
            )
        ]
    if kind == "instant_notice" and data.get("union_id") is not None:
        what = f"{about}的即时参保告知书" if about else f"你会{year}年度即时参保告知书"
        return [
            Message(
                "union",
                data["union_id"],
                "notice_ready",
                f"{year}年度即时参保告知书{verb}",
                f"{what}{verb}（第 {version} 版），请下载查看。",
                "/documents",
            )
        ]
    if kind in ("district_notice", "instant_district_notice") and data.get("district_id") is not None:
        name = "区局告知书" if kind == "district_notice" else "区局即时参保告知书"
        what = f"{about}的{name}" if about else f"{year}年度参保批次的{name}"
        return [
            Message(
                "district",
                data["district_id"],
                "notice_ready",
                f"{name}{verb}",
                f"{what}{verb}（第 {version} 版），请下载查看。",
                "/documents",
            )
        ]
    return []


def notice_withdrawn(data: dict[str, Any]) -> list[Message]:
    """documents.document.withdrawn: a union's notice (告知书) no longer counts because its
    submission was returned — the union is told which, why, and which version counts now."""
    if data.get("union_id") is None or data.get("kind") not in ("grassroots_notice", "instant_notice"):
        return []
    year, version = data["cover_year"], data["version"]
    name = "即时参保告知书" if data["kind"] == "instant_notice" else "集中参保告知书"
    what = f"{data['about']}的告知书" if data.get("about") else f"你会{year}年度{name}"
    what += f"（第 {version} 版）"
    current = data.get("current_version")
    now = (
        f"现行有效的是第 {current} 版，请下载查看并以其为准。"
        if current
        else "目前没有有效的告知书，请修改后重新提交，提交后将重新出具告知书。"
    )
    return [
        Message(
            "union",
            data["union_id"],
            "notice_withdrawn",
            f"{year}年度{name}已作废",
            f"{what}已作废。原因：{data.get('reason') or '区局退回了对应的提交'}。{now}",
            "/documents",
        )
    ]
