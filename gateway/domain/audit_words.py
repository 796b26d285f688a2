"""操作日志 in words: what a request through the gateway did, said as a clerk would say it — who
(the account and its union or district), did what to which union, member or batch, with which
outcome — never a method, a path, a status code or an internal id. Pure functions, no I/O.

What was acted on comes from the service that did it (its `X-Audit-Subject` answer: 会员 张三
（3101**********1234）, 批次 CB201912280001 …); the kind of action from the request's route."""

from __future__ import annotations

# (method, path segments after /api/v1/) → the action in words. "#" stands for a number, "*" for
# any one segment. Every changing route of the gateway and of each service is here (a unit test
# walks the services' routes), so no row falls back to the generic words below.
ACTIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # the gateway's own
    ("POST", ("auth", "login"), "登录"),
    ("POST", ("auth", "logout"), "退出登录"),
    ("POST", ("auth", "refresh"), "续期登录凭证"),
    ("POST", ("auth", "sessions", "end-others"), "结束本账号的其他登录"),
    ("DELETE", ("auth", "sessions", "*"), "结束一个登录"),
    ("POST", ("auth", "password"), "修改密码"),
    ("POST", ("accounts",), "新建账号"),
    ("PATCH", ("accounts", "#"), "修改账号"),
    ("POST", ("auth", "password-reset"), "申请找回密码"),
    ("POST", ("auth", "link"), "打开设置密码链接"),
    ("POST", ("auth", "link", "password"), "通过链接设置密码"),
    ("POST", ("registrations",), "提交组织注册申请"),
    ("POST", ("auth", "member", "code"), "申请个人登录验证码"),
    ("POST", ("auth", "member", "sign-in"), "个人登录"),
    ("POST", ("unions", "#", "clerks", "handover"), "变更代办员"),
    ("POST", ("accounts", "#", "activation-link"), "重发激活链接"),
    ("POST", ("me", "mobile-codes"), "会员申请更正手机号码验证码"),
    ("POST", ("me", "detail-changes"), "会员提交本人信息变更"),
    # members
    ("POST", ("members", "districts"), "新增区局（产业）工会"),
    ("PATCH", ("members", "districts", "#"), "修改区局（产业）工会"),
    ("POST", ("members", "unions"), "新增基层工会"),
    ("PATCH", ("members", "unions", "#"), "修改基层工会信息"),
    ("POST", ("members", "registrations"), "提交组织注册申请"),
    ("POST", ("members", "registrations", "#", "approve"), "审核通过组织注册"),
    ("POST", ("members", "registrations", "#", "return"), "退回组织注册"),
    ("POST", ("members", "unions", "#", "fact-changes"), "申请变更工会登记信息"),
    ("POST", ("members", "fact-changes", "#", "approve"), "审核通过工会登记信息变更"),
    ("POST", ("members", "fact-changes", "#", "return"), "退回工会登记信息变更"),
    ("POST", ("members", "members"), "新增会员"),
    ("PATCH", ("members", "members", "#"), "修改会员信息"),
    ("POST", ("members", "members", "#", "id-number-reveals"), "查看完整证件号码"),
    ("POST", ("members", "members", "approvals"), "审核通过会员"),
    ("POST", ("members", "members", "rejections"), "驳回会员"),
    ("PUT", ("members", "members", "#", "card"), "办理会员服务卡"),
    ("POST", ("members", "members", "removals"), "标记人口办剔除"),
    ("POST", ("members", "members", "transfer-out"), "转出会员"),
    ("POST", ("members", "transfer-requests", "#", "decision"), "审批会员转入申请"),
    ("POST", ("members", "uploads", "sync"), "同步会员"),
    ("POST", ("members", "uploads", "import"), "批量导入会员"),
    ("POST", ("members", "uploads", "transfer-in"), "上传转入会员名单"),
    ("POST", ("members", "uploads", "transfer-out"), "上传批量转出名单"),
    ("POST", ("members", "uploads", "cards"), "导入会员服务卡"),
    ("POST", ("members", "uploads", "removals"), "导入人口办剔除名单"),
    ("POST", ("members", "sign-in", "match"), "核对个人登录信息"),
    ("POST", ("members", "me", "id-number-reveals"), "会员查看本人完整证件号码"),
    ("POST", ("members", "uploads", "unions"), "工会批量导入"),
    ("POST", ("members", "detail-changes"), "转交会员本人信息变更"),
    ("POST", ("members", "detail-changes", "#", "accept"), "确认会员信息变更"),
    ("POST", ("members", "detail-changes", "#", "decline"), "不予会员信息变更"),
    ("POST", ("members", "detail-changes", "#", "mobile-reveals"), "查看会员信息变更的完整新手机号码"),
    # enrollment
    ("PUT", ("enrollment", "cover-years", "#"), "设置保障年度"),
    ("POST", ("enrollment", "covers", "lookup"), "职工保障查询"),
    ("POST", ("enrollment", "covers", "bulk-lookup"), "批量职工保障查询"),
    ("POST", ("enrollment", "submissions"), "提交参保信息至区局审核"),
    ("POST", ("enrollment", "submissions", "#", "return"), "退回参保提交"),
    ("POST", ("enrollment", "submissions", "#", "stage"), "添加至待提交参保列表"),
    ("POST", ("enrollment", "submissions", "#", "unstage"), "移出待提交参保列表"),
    ("POST", ("enrollment", "batches"), "提交参保信息至市职保中心"),
    ("POST", ("enrollment", "me", "cover-requests"), "个人参保申请"),
    ("POST", ("enrollment", "cover-requests", "#", "declines"), "不受理个人参保申请"),
    # billing
    ("POST", ("billing", "batches", "#", "voucher"), "上传缴费凭证"),
    ("POST", ("billing", "batches", "#", "vouchers"), "上传缴费凭证"),
    ("POST", ("billing", "batches", "#", "vouchers", "#", "withdrawal"), "撤回缴费凭证"),
    ("POST", ("billing", "batches", "#", "feedback"), "反馈参保批次"),
    ("POST", ("billing", "batches", "#", "write-off"), "核销参保批次"),
    ("POST", ("billing", "credits"), "登记清算退回金额"),
    ("POST", ("billing", "credits", "import"), "导入清算退回金额"),
    ("POST", ("billing", "bank-statements"), "导入银行流水"),
    ("POST", ("billing", "jobs", "overdue"), "检查逾期未缴费批次"),
    ("POST", ("billing", "jobs", "payment-reminders"), "催缴逾期未缴批次"),
    ("POST", ("billing", "bank-statements", "lines", "#", "allocation"), "手工分配银行流水"),
    ("PUT", ("billing", "price-tables", "#"), "设置保障价格"),
    ("PUT", ("billing", "splits", "#"), "设置区局默认参保金额比例"),
    ("PUT", ("billing", "splits", "#", "unions", "#"), "设置基层工会参保金额比例"),
    ("POST", ("billing", "quotes", "#"), "试算参保金额"),
    # notifications
    ("POST", ("notifications", "notifications", "read"), "标记通知已读"),
    ("PUT", ("notifications", "reminders", "#", "days-before"), "设置截止提醒天数"),
    ("POST", ("notifications", "reminders", "#", "*", "send"), "手动发送截止提醒"),
)
# The pages' own forms (not under /api/v1/).
PAGE_ACTIONS = {
    ("POST", "/login"): "登录",
    ("POST", "/logout"): "退出登录",
    ("GET", "/verify"): "核验参保凭证",  # the public page; the record never holds the code (0042)
}
OTHER = "其他操作"
ROLE_NAMES = {"grassroots": "基层工会", "district": "区局（产业）工会", "centre": "市职保中心", "member": "个人会员"}
API_PREFIX = "/api/v1/"


def _matches(pattern: tuple[str, ...], segments: list[str]) -> bool:
    if len(pattern) != len(segments):
        return False
    for want, got in zip(pattern, segments, strict=False):
        if want == "#":
            if not got.isdigit():
                return False
        elif want != "*" and want != got:
            return False
    return True


def action_words(method: str, path: str) -> str:
    """The kind of action a request was, in words (`其他操作` for a route this table does not know)."""
    if (method, path) in PAGE_ACTIONS:
        return PAGE_ACTIONS[(method, path)]
    if not path.startswith(API_PREFIX):
        return OTHER
    segments = [s for s in path[len(API_PREFIX) :].split("/") if s]
    for want_method, pattern, words in ACTIONS:
        if want_method == method and _matches(pattern, segments):
            return words
    return OTHER


def outcome_words(status: int, reason: str | None) -> str:
    """成功 / 被拒绝：原因 / 出错：原因 — in Chinese, never the status code."""
    if status < 400:
        return "成功"
    if status >= 500:
        return f"出错：{reason}" if reason else "出错，未完成"
    return f"被拒绝：{reason}" if reason else "被拒绝"


def actor_words(username: str | None, role: str | None, scope_name: str | None) -> str:
    """The account and whose it is: `grassroots1（上海示范科技有限公司工会）`, `centre（市职保中心）`."""
    who = username or "（未登录）"
    if scope_name:
        return f"{who}（{scope_name}）"
    if role in ROLE_NAMES:
        return f"{who}（{ROLE_NAMES[role]}）"
    return who


def what_words(action: str, subject: str | None) -> str:
    """The action and what it was done to: `驳回会员：张三（3101**********1234）`."""
    return f"{action}：{subject}" if subject else action


def sentence(actor: str, what: str, outcome: str) -> str:
    return f"{actor} {what}，{outcome}"
