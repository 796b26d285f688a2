"""The kinds of upload (批量处理与同步): what each does, in the clerk's words, and who may make
it. The one list the API (its routes, roles and descriptions) and the upload page (through
GET /uploads/kinds) read. Pure data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UploadKind:
    kind: str  # the job's kind, and the name of its Excel template
    title: str
    hint: str
    roles: tuple[str, ...]  # who may upload it
    dry_run: bool = False  # a sync that only counts (预检)

    @property
    def path(self) -> str:
        """Where it is uploaded, under /api/v1/members."""
        return "/uploads/" + self.kind.replace("_", "-")


SYNC_HINT = (
    "上传本会全部会员名单。已在本会的标记为已同步；无单位的直接转入；在其他单位的发起转入申请；"
    "本会有而名单中没有的标记为未同步。有任何错误行则不做任何修改。"
)

KINDS = (
    UploadKind(
        "sync",
        "同步会员（预检，不做任何修改）",
        "上传全部会员名单（姓名、证件号码），先看看各类人数和将发生的变化。",
        ("grassroots",),
        dry_run=True,
    ),
    UploadKind("sync", "同步会员", SYNC_HINT, ("grassroots",)),
    UploadKind(
        "import",
        "批量导入会员",
        "新增会员并更新本会已有会员的信息，每次最多 1,000 行；在其他工会的人员请用“转入”。",
        ("grassroots",),
    ),
    UploadKind(
        "transfer_in",
        "从其他工会转入会员",
        "每人生成一条转入申请，由原工会在“会员转出审核”中同意或拒绝；无单位人员直接转入。",
        ("grassroots",),
    ),
    UploadKind("transfer_out", "批量转出会员", "名单中的会员按所填原因转出本会。", ("grassroots",)),
    UploadKind("cards", "会员服务卡导入", "按银行提供的名单登记卡号与办卡日期。", ("grassroots", "centre")),
    UploadKind(
        "removals", "人口办剔除名单", "名单中的人员将被标记为人口办剔除，不再出现在任何参保名单中。", ("centre",)
    ),
    UploadKind(
        "unions",
        "工会批量导入（基层工会及代办员账号）",
        "登记基层工会（市职保中心还可登记区局（产业）工会）并为每行的代办员开通待激活账号，激活链接发送至代办员邮箱；"
        "有任何错误行则不做任何修改。",
        ("centre", "district"),
    ),
)


# What a finished upload counts, in the clerk's words (the keys of a job's `counts` other than the
# sync categories A–E, which roster_sync names).
COUNT_LABELS = {
    "rows": "名单行数",
    "added": "新增会员",
    "updated": "更新会员",
    "moved": "直接转入（无单位）",
    "requested": "已发起转入申请",
    "transferred_out": "已转出",
    "cards": "已登记会员服务卡",
    "removed": "已标记人口办剔除",
    "count": "人数",
    "would_mark_synced": "将标记为已同步",
    "districts": "新登记区局（产业）工会",
    "unions": "新登记基层工会",
    "accounts": "待激活代办员账号（激活邮件已排队发送）",
}


def kind(name: str) -> UploadKind:
    """The kind that applies a file (not the dry run)."""
    return next(k for k in KINDS if k.kind == name and not k.dry_run)
