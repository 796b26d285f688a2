"""个人参保申请 (有卡无保, issue 29 item 4; docs/decisions/0045-member-cover-requests.md): a card
holder without cover asks to be covered; the union still submits and pays. The states a request
goes through and why a member may not ask. Pure rules, no I/O."""

from __future__ import annotations

from common.errors import Conflict, ValidationFailed

ASKED = "asked"  # 已申请: in the union's 即时参保 list
SUBMITTED = "submitted"  # 单位已提交: in one of the union's instant submissions
COVERED = "covered"  # 已参保: the submission's batch was written off
DECLINED = "declined"  # 单位未受理: the union said why not
FAILED = "failed"  # 参保未成功: the batch went unpaid at the deadline

STATES = {
    ASKED: "已申请",
    SUBMITTED: "单位已提交",
    COVERED: "已参保",
    DECLINED: "单位未受理",
    FAILED: "参保未成功",
}
# A request in these states holds the member's place: one such request per member and year
# (the database's partial unique index says the same).
OPEN_STATES = (ASKED, SUBMITTED)
FINAL_STATES = (COVERED, DECLINED, FAILED)

# Which state each step leads to, and from which states it may be taken.
STEPS = {
    "submit": ((ASKED,), SUBMITTED),  # the union's instant submission names the member
    "return": ((SUBMITTED,), ASKED),  # the district returned that submission: back in the list
    "grant": ((SUBMITTED,), COVERED),  # its batch written off
    "fail": ((SUBMITTED,), FAILED),  # its batch overdue
    "decline": ((ASKED,), DECLINED),  # the union will not submit it, with a reason
}

# What the member reads when they may not ask (their own words, not a clerk's).
REFUSALS = {
    "no_year": "当前没有可申请的保障年度",
    "not_in_window": "个人参保申请自保障年度开始之日起办理，当前不在办理时间内",
    "unknown": "未查到您的会员信息，请联系所在工会",
    "not_normal": "您的会员状态不是正常，暂不能申请参保，请联系所在工会",
    "removed": "您的会员信息已被剔除，暂不能申请参保，请联系所在工会",
    "no_card": "您尚未办理会员服务卡，请先办卡",
    "card_after_cutoff": "您在办卡截止日之后办卡，属于新办卡人员，由所在工会为您办理即时参保",
    "card_not_yet_valid": "您的会员服务卡尚未生效，暂不能申请参保",
    "year_over": "本保障年度剩余保障期不足，不能再申请参保",
    "already_covered": "您本保障年度已参保，无需申请",
    "already_asked": "您本保障年度已提交参保申请，请等待所在工会办理",
}
# What the member is told by SMS at each state.
MESSAGES = {
    ASKED: "您的{year}年度个人参保申请已提交所在工会（{union}），工会办理后将短信通知您。",
    SUBMITTED: "所在工会（{union}）已为您提交{year}年度即时参保，缴费核销后保障生效。",
    COVERED: "您已参加{year}年度职工保障互助保障，可登录个人页面查看并下载参保凭证。",
    DECLINED: "所在工会（{union}）未受理您的{year}年度参保申请，原因：{reason}",
    FAILED: "您的{year}年度即时参保因单位逾期未缴费未能生效，可再次申请或联系所在工会。",
}
REASON_MAX = 200


def refusal(reason: str) -> ValidationFailed | Conflict:
    """The error a member gets for a refusal key: already asked or covered is a conflict (409),
    anything else the request itself cannot be met (422)."""
    message = REFUSALS[reason]
    code = f"COVER_REQUEST_{reason.upper()}"
    if reason in ("already_asked", "already_covered"):
        return Conflict(message, code=code)
    return ValidationFailed({"cover_year": [message]}, message=message, code=code)


def next_state(current: str, step: str) -> str | None:
    """The state `step` leads to from `current`, or None when the step does not apply to it
    (a request already declined is not made 单位已提交 by a later submission)."""
    sources, target = STEPS[step]
    return target if current in sources else None


def decline_reason(reason: str | None) -> str:
    """The union's reason, required and at most REASON_MAX characters."""
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed({"reason": ["请填写不受理的原因"]}, code="COVER_REQUEST_REASON_MISSING")
    if len(text) > REASON_MAX:
        raise ValidationFailed({"reason": [f"原因不超过 {REASON_MAX} 字"]}, code="COVER_REQUEST_REASON_TOO_LONG")
    return text


def check_declinable(current: str) -> None:
    if next_state(current, "decline") is None:
        raise Conflict(f"只能不受理待办理的申请（当前状态：{STATES[current]}）", code="COVER_REQUEST_NOT_OPEN")


def sms_text(state: str, year: int, union: str, reason: str | None = None) -> str:
    return MESSAGES[state].format(year=year, union=union or "所在工会", reason=reason or "")
