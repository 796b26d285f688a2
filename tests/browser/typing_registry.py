"""What a person types into every form of every page: valid values (the form is then sent and
answered 2xx, and the page says so) and, for each field, one value the page must refuse itself
(a Chinese message beside the field, nothing sent). tests/browser/test_forms_typing.py walks each
role's pages and fails on a form (or a group of controls outside a form) that has no entry here:
a new form comes with its values.

Values are what a person types: text is typed key by key, a choice is picked by its label, a box
is ticked, a file is chosen. "{name}" in a value is filled from the season the test sets up (the
members it made, their ID numbers). A field for which nothing typed can be wrong (a free-text
search, a choice) says why instead of giving an invalid value."""

from __future__ import annotations

from dataclasses import dataclass

# Moments of the season (Asia/Shanghai) at which a page is used: each form is typed when what it
# does is allowed.
BEFORE_SPLIT = "2019-10-01T09:00:00"  # the centre sets years and prices
SPLIT_WINDOW = "2019-10-26T10:00:00"  # the district sets its split
GRASSROOTS = "2019-11-05T10:00:00"  # unions keep members and submit; the district reviews
DISTRICT_SUBMIT = "2019-12-29T10:00:00"  # the district submits to the centre
PAYMENT = "2020-01-15T10:00:00"  # vouchers, reconciliation, write-off

FREE_TEXT = "free text: any typed value is a valid search"
CHOICE = "a choice among the page's own options"
OPTIONAL_CHOICE = "a choice; its first option (全部) is valid"
TICK = "a box: ticked or not, both valid"
NO_FILE = ""  # a required file not chosen


@dataclass(frozen=True)
class Field:
    name: str  # the control's name attribute (or a CSS selector starting with # or [)
    valid: object  # text typed, an option's label, True/False for a box, a file's key
    invalid: str | None = None  # typed instead (or "" for a required field left empty)
    why: str = ""  # when there is no invalid value: why none exists


@dataclass(frozen=True)
class Form:
    key: str  # a CSS selector unique on the page: the form's id, or a group's container
    fields: tuple[Field, ...]
    sends: str  # "METHOD regex-of-the-API-path" the valid case must send, answered 2xx
    said: str = ""  # what the page says afterwards (a substring), in `where`
    where: str = "#flash"
    before: tuple = ()  # steps to reach the form: ("click", selector) ("tick", selector) …
    confirm: str | None = None  # the in-page dialog asks first; a regex its text must match
    reason: str | None = None  # typed into that dialog (a return or rejection reason)
    submit: str | None = None  # the button (CSS) when it is not the form's own submit button
    on_change: bool = False  # a picker: choosing sends (no button)
    uses: tuple[str, ...] = ()  # controls outside the form this entry drives (selection boxes)
    after: tuple = ()  # steps after the valid case (close a dialog)
    clock: str | None = None  # when this form's action is allowed at another moment than the page's


# Moments per page, and the order of the walk: (username, path, clock). Every page of every
# role must be here (the test checks it against the menu).
WALK = [
    ("centre", "/centre/years", BEFORE_SPLIT),
    ("district", "/district/splits", SPLIT_WINDOW),
    ("centre", "/centre/directory", GRASSROOTS),
    ("centre", "/centre/accounts", GRASSROOTS),
    ("centre", "/centre/reminders", GRASSROOTS),
    ("grassroots1", "/", GRASSROOTS),
    ("grassroots1", "/notifications", GRASSROOTS),
    ("grassroots1", "/union/profile", GRASSROOTS),
    ("grassroots1", "/union/members", GRASSROOTS),
    ("grassroots1", "/uploads", GRASSROOTS),
    ("grassroots1", "/union/transfers", GRASSROOTS),
    ("grassroots1", "/union/enrolment", GRASSROOTS),
    ("grassroots1", "/documents", GRASSROOTS),
    ("grassroots1", "/covers", GRASSROOTS),
    ("grassroots1", "/account/sessions", GRASSROOTS),
    ("grassroots1", "/union/clerk", GRASSROOTS),  # last: it ends grassroots1 (the test enables it again)
    ("district", "/", GRASSROOTS),
    ("district", "/notifications", GRASSROOTS),
    ("district", "/district/unions", GRASSROOTS),
    ("district", "/documents", GRASSROOTS),
    ("district", "/district/approvals", GRASSROOTS),
    ("district", "/district/registrations", GRASSROOTS),
    ("district", "/district/uploads", GRASSROOTS),
    ("district", "/district/clerks", GRASSROOTS),
    ("district", "/district/review", GRASSROOTS),
    ("district", "/batches", PAYMENT),
    ("district", "/ageing", PAYMENT),
    ("district", "/covers", PAYMENT),
    ("district", "/account/sessions", PAYMENT),
    ("centre", "/", PAYMENT),
    ("centre", "/notifications", PAYMENT),
    ("centre", "/centre/batches", PAYMENT),
    ("centre", "/centre/reconciliation", PAYMENT),
    ("centre", "/ageing", PAYMENT),
    ("centre", "/centre/removals", PAYMENT),
    ("centre", "/centre/uploads", PAYMENT),
    ("centre", "/centre/audit", PAYMENT),
    ("centre", "/covers", PAYMENT),
    ("centre", "/account/sessions", PAYMENT),
    ("member", "/me", PAYMENT),  # 个人登录 (decision 0041): signed in by a code; 我的联系方式 (0047)
]

DATE_BAD = "2019/11/05"

# The header's 退出 form is on every page; the walk ends each role with it.
LOGOUT = Form("form[action='/logout']", (), "POST /logout$", said="登录", where="body")


def _clerk_fields(username: str) -> tuple[Field, ...]:
    """代办员变更's new clerk (the union's page and the district's)."""
    return (
        Field("display_name", "打字代办", invalid=""),
        Field("mobile", "13900000002", invalid="1390000"),
        Field("email", f"{username}@example.cn", invalid="no-at-sign"),
        Field("username", username, invalid="a b"),
    )


def _covers() -> list[Form]:
    return [
        Form(
            "#lookup-form",
            (
                Field("id_number", "{covered_id}", invalid="12345"),
                Field("member_no", "", why="either this or the ID number: left empty"),
            ),
            "POST /enrollment/covers/lookup$",
            said="{covered_name}",
            where="#result",
        ),
        Form(
            "#bulk-form",
            (Field("file", "lookup.xlsx", invalid=NO_FILE),),
            "POST /enrollment/covers/bulk-lookup$",
            said="已生成查询结果",
        ),
    ]


def _sessions() -> list[Form]:
    return [
        # the password changes and every session ends: the test logs in again with the new one
        # a button that acts on the other sessions, confirmed in the page
        Form("#end-others", (), "POST /auth/sessions/end-others$", said="已结束", submit="#end-others", confirm="会话"),
        Form(
            "#password-form",
            (
                Field("current_password", "Demo@2026pass", invalid=""),
                Field("new_password", "Typed@2026pass", invalid="short"),
            ),
            "POST /auth/password$",
            said="登录",
            where="body",
            confirm="重新登录",
        ),
    ]


def _batch_people() -> list[Form]:
    """A batch's detail opens each of its unions to its people, searchable."""
    return [
        Form(
            "#people-search",
            (Field("search", "打字会员811", why=FREE_TEXT),),
            "GET /enrollment/submissions/\\d+\\?",
            said="打字会员811",
            where="#people-list",
            before=(
                ("click", "#batches button:has-text('详情')"),
                ("click", "#batch-unions button:has-text('查看人员')"),
            ),
            after=(("click", "#people-close"),),
        )
    ]


def _notifications() -> list[Form]:
    return [
        Form(
            "#unread-only",
            (Field("#unread-only", True, why=TICK),),
            "GET /notifications/notifications\\?",
            on_change=True,
        )
    ]


REGISTRY: dict[tuple[str, str], list[Form]] = {
    ("centre", "/centre/years"): [
        Form(
            "#year-form",
            (
                Field("cover_year", "2021", invalid="21"),
                Field("split_window.0", "2020-10-25", invalid=DATE_BAD),
                Field("split_window.1", "2020-10-31", invalid=""),
                Field("grassroots_window.0", "2020-11-01", invalid=DATE_BAD),
                Field("grassroots_window.1", "2020-12-27", invalid="2020-12"),
                Field("district_review_window.0", "2020-11-01", invalid=DATE_BAD),
                Field("district_review_window.1", "2020-12-27", invalid=""),
                Field("district_submit_window.0", "2020-12-28", invalid=DATE_BAD),
                Field("district_submit_window.1", "2020-12-31", invalid=""),
                Field("card_cutoff", "2020-12-31", invalid=DATE_BAD),
                Field("cover_start", "2021-01-01", invalid=""),
                Field("cover_end", "2021-12-31", invalid=DATE_BAD),
                Field("payment_deadline", "2021-01-20", invalid=""),
                Field("claims_deadline", "2022-12-31", invalid=DATE_BAD),
                Field("instant_payment_days", "15", invalid="0"),
            ),
            "PUT /enrollment/cover-years/2021$",
            said="已保存",
        ),
        Form(
            "#prices",
            tuple(
                Field(f"{t}|{c}|{part}", value, invalid="abc")
                for t, prices in (
                    ("A", ("26.00", "13.00", "6.50", "13.00", "6.50", "3.00")),
                    ("A+", ("76.00", "13.00", "6.50", "38.00", "6.50", "3.00")),
                    ("B", ("90.00", "40.00", "22.50", "45.00", "20.00", "11.00")),
                    ("B+", ("140.00", "40.00", "22.50", "70.00", "20.00", "11.00")),
                )
                for c, (premium, city, special) in (
                    ("centralised", prices[0:3]),
                    ("instant_first_half", prices[0:3]),
                    ("instant_second_half", prices[3:6]),
                )
                for part, value in (("premium", premium), ("city_subsidy", city), ("special_city_subsidy", special))
            ),
            "PUT /billing/price-tables/2021$",
            said="价格表已保存",
            before=(("select", "#price-year", "2021"),),
        ),
        # after the prices: a year without any answers 404 (the page then shows empty boxes)
        Form("#pick", (Field("#price-year", "2021", why=CHOICE),), "GET /billing/price-tables/2021$", on_change=True),
    ],
    ("district", "/district/splits"): [
        Form("#pick", (Field("year", "2020 年度", why=CHOICE),), "GET /billing/splits/2020$", on_change=True),
        Form(
            "#split",
            tuple(
                Field(f"{t}.{part}", value, invalid=bad)
                for t, (d, g) in (
                    ("A", ("13.00", "0")),
                    ("A+", ("63", "0.00")),
                    ("B", ("40.00", "10")),
                    ("B+", ("100", "0")),
                )
                for part, value, bad in (("district_share", d, "abc"), ("grassroots_share", g, "1.234"))
            ),
            "PUT /billing/splits/2020$",
            said="已保存",
        ),
        Form(
            "#override",
            (
                Field("union_id", "上海示范物流有限公司工会", why=CHOICE),
                Field("type", "B+", why=CHOICE),
                Field("district_share", "100.00", invalid="1.234"),
                Field("grassroots_share", "0", invalid="abc"),
            ),
            "PUT /billing/splits/2020/unions/\\d+$",
            said="已保存",
        ),
    ],
    ("centre", "/centre/directory"): [
        Form(
            "#district-form",
            (
                Field("name", "打字区总工会", invalid=""),
                Field("kind", "区局工会", why=CHOICE),
                Field("special_industry", False, why=TICK),
            ),
            "POST /members/districts$",
            said="已登记",
            before=(("click", "summary:has-text('登记区局')"),),
        ),
        Form(
            "#search",
            (
                Field("name", "示范", why=FREE_TEXT),
                Field("credit_code", "", why=FREE_TEXT),
                Field("district_id", "黄浦区总工会", why=OPTIONAL_CHOICE),
            ),
            "GET /members/unions\\?",
            said="上海示范科技有限公司工会",
            where="#unions",
        ),
        Form(
            "#union-form",
            (
                Field("name", "上海打字测试有限公司工会", invalid=""),
                Field("credit_code", "{new_credit_code}", invalid="123"),
                Field("district_id", "黄浦区总工会", why=CHOICE),
                Field("contact_person", "王五", invalid=""),
                Field("phone", "021-62345678", invalid="12"),
            ),
            "POST /members/unions$",
            said="已登记",
            before=(("click", "summary:has-text('登记基层工会')"),),
        ),
    ],
    ("centre", "/centre/accounts"): [
        Form(
            "#account-form",
            (
                Field("username", "typed.clerk", invalid="a b"),
                Field("display_name", "打字测试账号", invalid=""),
                Field("email", "typed.clerk@example.cn", invalid="typed.clerk"),
                Field("password", "Typed@2026pass", invalid="short"),
                Field("role", "基层工会", why=CHOICE),
                Field("union_id", "{g1_union_id}", invalid="abc"),
            ),
            "POST /accounts$",
            said="账号已创建",
        ),
        # 停用 in the list: the dialog names the account
        Form(
            "#accounts [data-toggle]",
            (),
            "PATCH /accounts/\\d+$",
            said="已更新",
            submit="#accounts tr:has-text('typed.clerk') button:has-text('停用')",
            confirm="typed\\.clerk|打字测试账号",
        ),
        # a page at a time, searchable (a city has ~100,000 clerks' accounts)
        Form(
            "#account-search",
            (Field("q", "typed.clerk", why=FREE_TEXT), Field("role", "基层工会", why=OPTIONAL_CHOICE)),
            "GET /accounts\\?",
            said="符合条件",
            where="#accounts-page",
        ),
    ],
    ("centre", "/centre/reminders"): [
        Form(
            "#year-form",
            (Field("cover_year", "2020", why=CHOICE),),
            "GET /notifications/reminders/2020$",
            on_change=True,
        ),
        Form(
            "#days-form",
            (Field("days_before", "7, 3, 1", invalid="七天"),),
            "PUT /notifications/reminders/2020/days-before$",
            said="已保存",
            before=(("select", "#year", "2020"),),
        ),
    ],
    ("grassroots1", "/"): [],
    ("grassroots1", "/notifications"): _notifications(),
    ("grassroots1", "/union/profile"): [
        Form(
            "#contact",
            (Field("contact_person", "李四", invalid=""), Field("phone", "021-62345678", invalid="12")),
            "PATCH /members/unions/\\d+$",
            said="已保存",
        ),
        Form(
            "#fact-change-form",
            (
                Field("name", "上海示范科技集团有限公司工会", why="optional: only what changes is filled"),
                Field("credit_code", "", invalid="123"),
                Field("district_id", "不变", why=OPTIONAL_CHOICE),
                Field("note", "集团改制后更名", why=FREE_TEXT),
            ),
            "POST /members/unions/\\d+/fact-changes$",
            said="变更申请已提交",
        ),
    ],
    ("grassroots1", "/union/members"): [
        Form(
            "#search",
            (
                Field("name", "打字会员801", why=FREE_TEXT),
                Field("member_no", "", why=FREE_TEXT),
                Field("id_number", "{id801}", invalid="12345"),
                Field("status", "正常", why=OPTIONAL_CHOICE),
                Field("synced", "全部", why=OPTIONAL_CHOICE),
                Field("card_held", "是", why=OPTIONAL_CHOICE),
            ),
            "GET /members/members\\?",
            said="打字会员801",
            where="#members",
        ),
        Form(
            "#add",
            (
                Field("name", "打字新会员", invalid=""),
                Field("id_type", "身份证", why=CHOICE),
                Field("id_number", "{id810}", invalid="12345"),
                Field("gender", "由证件号码确定", why=OPTIONAL_CHOICE),
                Field("birth_date", "", invalid=DATE_BAD),
                Field("address", "上海市黄浦区南京东路1号", invalid=""),
                Field("mobile", "13900000810", invalid="139"),
                Field("education", "大学本科", why=CHOICE),
                Field("household_type", "非农业", why=CHOICE),
                Field("skill_grade", "无", why=CHOICE),
                Field("union_post", "工会会员", why=CHOICE),
            ),
            "POST /members/members$",
            said="已提交，等待区局审核",
            before=(("click", "summary:has-text('新增会员')"),),
        ),
        Form(
            "#edit",
            (
                Field("name", "打字会员801", invalid=""),
                Field("address", "上海市黄浦区南京东路2号", invalid=""),
                Field("mobile", "13900000801", invalid="139"),
                Field("education", "硕士研究生", why=CHOICE),
                Field("household_type", "非农业", why=CHOICE),
                Field("skill_grade", "技师", why=CHOICE),
                Field("union_post", "工会委员", why=CHOICE),
            ),
            "PATCH /members/members/\\d+$",
            said="已保存",
            before=(("reload",), ("click", "#members tr:has-text('打字会员801') button:has-text('详情')")),
        ),
        Form(
            "#card",
            (
                Field("card_number", "6222020000000802", invalid="abc"),
                Field("issued_on", "2019-11-02", invalid=DATE_BAD),
            ),
            "PUT /members/members/\\d+/card$",
            said="会员服务卡已登记",
            before=(("reload",), ("click", "#members tr:has-text('打字会员802') button:has-text('详情')")),
        ),
        Form(
            "#transfer-out",
            (Field("reason", "离职", invalid="请选择"),),
            "POST /members/members/transfer-out$",
            said="已转出 1 人",
            confirm="1\\s*(人|名)",
            before=(("reload",), ("tick", "#members tr:has-text('打字会员803') input[type=checkbox]")),
            uses=("#members input[type=checkbox]",),
        ),
    ],
    ("grassroots1", "/uploads"): [
        # the real sync, confirmed in the page's own dialog
        Form(
            "#upload",
            (Field("kind", "同步会员", why=CHOICE), Field("file", "roster-good.xlsx", invalid=NO_FILE)),
            "POST /members/uploads/sync$",
            said="处理完成",
            where="#outcome",
            confirm="同步",
        ),
    ],
    ("grassroots1", "/union/transfers"): [],
    ("grassroots1", "/union/enrolment"): [
        # the page's pickers choose what is listed; 提交至区局审核 (outside the form) sends them
        Form(
            "#pick",
            (
                Field("cover_year", "2020 年度", why=CHOICE),
                Field("mode", "集中参保", why=CHOICE),
                Field("type", "A", why=CHOICE),
            ),
            "POST /enrollment/submissions$",
            said="参保告知书已下载",
            submit="#submit",
            confirm="2\\s*人",
            before=(("see", "#totals", "参保人数2"),),
        ),
        Form(
            "#history-filter",
            (
                Field("batch_no", "", why=FREE_TEXT),
                Field("submitted_from", "2019-11-01", invalid=DATE_BAD),
                Field("submitted_to", "2019-11-30", invalid="11-30"),
                Field("mode", "集中参保", why=OPTIONAL_CHOICE),
            ),
            "GET /enrollment/submissions\\?",
            said="集中参保",
            where="#submissions",
        ),
    ],
    ("grassroots1", "/documents"): [
        Form("#all", (Field("#all", True, why=TICK),), "GET /documents/documents\\?", on_change=True),
    ],
    ("grassroots1", "/covers"): _covers(),
    ("grassroots1", "/account/sessions"): _sessions(),
    ("district", "/"): [],
    ("district", "/notifications"): _notifications(),
    ("district", "/district/unions"): [
        Form(
            "#search",
            (
                Field("cover_year", "2020 年度", why=CHOICE),
                Field("name", "示范物流", why=FREE_TEXT),
                Field("sort", "欠缴多者在前", why=CHOICE),
            ),
            "GET /district-unions/2020\\?",
            said="上海示范物流有限公司工会",
            where="#unions",
        ),
    ],
    ("district", "/documents"): [
        Form("#all", (Field("#all", True, why=TICK),), "GET /documents/documents\\?", on_change=True),
    ],
    ("district", "/district/approvals"): [
        Form(
            "#filter",
            (
                Field("union_id", "上海示范科技有限公司工会", why=OPTIONAL_CHOICE),
                Field("name", "打字会员80", why=FREE_TEXT),
            ),
            "GET /members/members\\?",
            said="打字会员804",
            where="#pending",
        ),
        # tick, then 审核通过 / 驳回 above the list: each a form-like group
        Form(
            ".toolbar #approve",
            (Field("#pending tr:has-text('打字会员804') input[data-pick]", True, why=TICK),),
            "POST /members/members/approvals$",
            said="已审核通过 1 人",
            submit="#approve",
            uses=("#pending input[data-pick]", "#all"),
        ),
        Form(
            ".toolbar #reject",
            (Field("#pending tr:has-text('打字会员805') input[data-pick]", True, why=TICK),),
            "POST /members/members/rejections$",
            said="已驳回 1 人",
            submit="#reject",
            confirm="打字会员805|1\\s*名",
            reason="证件号码与本人不符，请核对",
        ),
    ],
    ("grassroots1", "/union/clerk"): [
        Form(
            "#handover-form",
            _clerk_fields("typed.clerk1"),
            "POST /unions/\\d+/clerks/handover$",
            said="代办员已变更为 打字代办",
            where="#outcome",
            confirm="变更代办员",
        ),
    ],
    ("district", "/district/clerks"): [
        Form(
            "#pick",
            (Field("union_id", "上海打字测试有限公司工会", why=CHOICE),),
            "GET /unions/\\d+/clerks$",
            on_change=True,
        ),
        Form(
            "#handover-form",
            _clerk_fields("typed.clerk2"),
            "POST /unions/\\d+/clerks/handover$",
            said="代办员已变更为 打字代办",
            where="#outcome",
            before=(("select", "#union", "上海打字测试有限公司工会"),),
            confirm="上海打字测试有限公司工会",
        ),
    ],
    ("district", "/district/registrations"): [
        Form(
            "#filter",
            (Field("state", "全部", why=CHOICE),),
            "GET /members/registrations\\?",
            said="共",
            where="#registrations",
        ),
    ],
    ("district", "/district/review"): [
        Form(
            "#pick",
            (Field("cover_year", "2020 年度", why=CHOICE), Field("mode", "集中参保", why=CHOICE)),
            "GET /enrollment/submissions\\?",
            on_change=True,
        ),
        Form(
            "#filter",
            (
                Field("union_name", "示范", why=FREE_TEXT),
                Field("credit_code", "", why=FREE_TEXT),
                Field("submitted_from", "2019-11-01", invalid=DATE_BAD),
                Field("submitted_to", "2019-12-31", invalid="12-31"),
                Field("type", "全部", why=OPTIONAL_CHOICE),
            ),
            "GET /enrollment/submissions\\?",
            said="上海示范物流有限公司工会",
            where="#pending",
        ),
        Form(
            "#people-search",
            (Field("search", "打字会员811", why=FREE_TEXT),),
            "GET /enrollment/submissions/\\d+\\?",
            said="打字会员811",
            where="#people-list",
            before=(("click", "#pending tr:has-text('上海示范物流有限公司工会') button:has-text('查看人员')"),),
            after=(("click", "#people-close"),),
        ),
        Form(
            ".toolbar #stage-picked",
            (Field("#pending tr:has-text('上海示范物流有限公司工会') input[data-pick]", True, why=TICK),),
            "POST /enrollment/submissions/\\d+/stage$",
            said="已添加 1 项至待提交列表",
            submit="#stage-picked",
            uses=("#pending input[data-pick]", "[data-all=pending]"),
        ),
        Form(
            ".toolbar #unstage-picked",
            (Field("#staged tr:has-text('上海示范物流有限公司工会') input[data-pick]", True, why=TICK),),
            "POST /enrollment/submissions/\\d+/unstage$",
            said="已移回待审批列表 1 项",
            submit="#unstage-picked",
            uses=("#staged input[data-pick]", "[data-all=staged]"),
            after=(("click", "#pending tr:has-text('上海示范物流有限公司工会') button:has-text('添加至待提交')"),),
        ),
        Form(
            "#pending [data-return]",
            (),
            "POST /enrollment/submissions/\\d+/return$",
            said="已退回",
            submit="#pending tr:has-text('上海示范科技有限公司工会') button:has-text('退回')",
            confirm="上海示范科技有限公司工会",
            reason="名单有误，请核对后重新提交",
        ),
        Form(
            "#submit",
            (
                Field("name", "张三", invalid=""),
                Field("phone", "13800138000", invalid="12345"),
                Field("email", "zhangsan@example.com", invalid="zhangsan@example"),
            ),
            "POST /enrollment/batches$",
            said="批次编号",
            confirm="2\\s*人",
            clock=DISTRICT_SUBMIT,
        ),
    ],
    ("district", "/batches"): [
        Form(
            "#filter",
            (
                Field("batch_no", "CB2019", why=FREE_TEXT),
                Field("submitted_from", "2019-12-01", invalid=DATE_BAD),
                Field("submitted_to", "2019-12-31", invalid="12-31"),
                Field("status", "全部", why=OPTIONAL_CHOICE),
            ),
            "GET /enrollment/batches\\?",
            said="CB2019",
            where="#batches",
        ),
        *_batch_people(),
        Form(
            "#voucher",
            (
                Field("amount", "100.00", invalid="1.234"),
                Field("paid_on", "2020-01-10", invalid=DATE_BAD),
                Field("file", "voucher.png", invalid=NO_FILE),
            ),
            "POST /billing/batches/\\d+/voucher$",
            said="凭证已上传",
            before=(("click", "#batches button:has-text('详情')"),),
        ),
    ],
    ("district", "/covers"): _covers(),
    ("district", "/account/sessions"): _sessions(),
    ("centre", "/"): [],
    ("centre", "/notifications"): _notifications(),
    ("centre", "/centre/batches"): [
        Form(
            "#filter",
            (
                Field("batch_no", "CB2019", why=FREE_TEXT),
                Field("submitted_from", "2019-12-01", invalid=DATE_BAD),
                Field("submitted_to", "2019-12-31", invalid="12-31"),
                Field("status", "凭证已上传", why=OPTIONAL_CHOICE),
            ),
            "GET /enrollment/batches\\?",
            said="CB2019",
            where="#batches",
        ),
        *_batch_people(),
    ],
    ("centre", "/centre/reconciliation"): [
        Form(
            "#filter",
            (Field("status", "全部", why=OPTIONAL_CHOICE),),
            "GET /billing/reconciliation\\?",
            said="CB",
            where="#list",
        ),
        Form(
            "#statement",
            (Field("file", "statement.xlsx", invalid=NO_FILE),),
            "POST /billing/bank-statements$",
            said="银行流水已导入",
        ),
        Form(
            "#feedback",
            (Field("message", "凭证已收到，正在核对到账", invalid=""),),
            "POST /billing/batches/\\d+/feedback$",
            said="反馈已发送",
            before=(("click", "#list button:has-text('处理')"),),
        ),
        Form(
            "#writeoff",
            (
                Field("amount", "100.00", invalid="abc"),
                Field("received_on", "2020-01-14", invalid=DATE_BAD),
                Field("bank_reference", "BANK20200116001", invalid=""),
            ),
            "POST /billing/batches/\\d+/write-off$",
            said="已核销",
            confirm="CB\\d+[\\s\\S]*100\\.00|100\\.00[\\s\\S]*CB\\d+",
            before=(("click", "#list button:has-text('处理')"),),
        ),
    ],
    ("centre", "/ageing"): [
        Form(
            "#ageing-filter",
            (Field("cover_year", "全部", why=OPTIONAL_CHOICE),),
            "GET /billing/ageing\\?",
            where="#late",
        ),
    ],
    ("district", "/ageing"): [
        Form(
            "#ageing-filter",
            (Field("cover_year", "全部", why=OPTIONAL_CHOICE),),
            "GET /billing/ageing\\?",
            where="#late",
        ),
    ],
    ("centre", "/centre/removals"): [
        Form(
            "#search",
            (Field("id_number", "{id801}", invalid="12345"),),
            "GET /members/members\\?",
            said="打字会员801",
            where="#found",
        ),
        # 剔除 on the person found: the dialog names them
        Form(
            "#found [data-id]",
            (),
            "POST /members/members/removals$",
            said="已更新",
            submit="#found tr:has-text('打字会员801') button:has-text('剔除')",
            confirm="打字会员801",
        ),
    ],
    ("district", "/district/uploads"): [
        # 工会批量导入: the district's own unions with their clerks (a job, polled to its end)
        Form(
            "#upload",
            (
                Field("kind", "工会批量导入（基层工会及代办员账号）", why=CHOICE),
                Field("file", "unions.xlsx", invalid=NO_FILE),
            ),
            "POST /members/uploads/unions$",
            said="处理完成",
            where="#outcome",
        ),
    ],
    ("centre", "/centre/uploads"): [
        Form(
            "#upload",
            (Field("kind", "人口办剔除名单", why=CHOICE), Field("file", "removals.xlsx", invalid=NO_FILE)),
            "POST /members/uploads/removals$",
            said="处理完成",
            where="#outcome",
        ),
    ],
    ("centre", "/centre/audit"): [
        Form(
            "#search", (Field("username", "district", why=FREE_TEXT),), "GET /audit\\?", said="district", where="#audit"
        ),
        Form(
            "#lookup-search",
            (
                Field("day_from", "2019-11-01", invalid=DATE_BAD),
                Field("day_to", "2020-01-31", invalid="01-31"),
                Field("refused", "全部", why=OPTIONAL_CHOICE),
            ),
            "GET /members/id-lookups\\?",
            said="上海示范科技有限公司工会",
            where="#lookups",
        ),
    ],
    ("centre", "/covers"): _covers(),
    ("centre", "/account/sessions"): _sessions(),
    # 我的会员卡与保障: read-only but for the 查看完整证件号码 button (tests/browser/test_member_pages.py)
    # and 申请参保, a button without fields (tests/browser/test_member_cover_request.py)
    ("member", "/me"): [
        # my details (decision 0047): an address alone needs no code (a new mobile's code is typed
        # in tests/browser/test_member_details.py, read from data/sms)
        Form(
            "#details-form",
            (
                Field("address", "上海市黄浦区南京东路3号", invalid=""),
                Field("mobile", "", invalid="139"),
            ),
            "POST /me/detail-changes$",
            said="已提交信息变更，待所在工会确认",
        ),
    ],
}

# Controls in the header or the page's own machinery that are no form of the page's: none but
# the 退出 form (LOGOUT), and the in-page dialog's own form (exercised through `confirm`).


# Pages for people who are not logged in, outside the menus' walk (找回密码, a one-time link to set
# a password): tests/browser/test_password_links.py types these. "{username}" is its account.
PUBLIC_FORMS: dict[str, list[Form]] = {
    "/register": [
        Form(
            "#register-form",
            (
                Field("name", "打字注册公司工会", invalid=""),
                Field("credit_code", "91310101MA1RG0002B", invalid="91310101"),
                Field("district_id", "黄浦区总工会", invalid="请选择"),
                Field("address", "上海市黄浦区福州路 1 号", invalid=""),
                Field("chair_name", "郑主席", invalid=""),
                Field("chair_mobile", "13600000001", invalid="12345"),
                Field("chair_email", "chair@typed.example.cn", invalid="chair"),
                Field("clerk_name", "冯代办", invalid=""),
                Field("clerk_mobile", "13600000002", invalid="1360000"),
                Field("clerk_email", "clerk@typed.example.cn", invalid="clerk@"),
                Field("username", "typed.clerk", invalid="张三"),
            ),
            "POST /registrations$",
            said="注册申请已提交",
            where="#done",
        ),
    ],
    "/password/forgot": [
        Form(
            "#reset-form",
            (Field("login", "{username}", invalid=""),),
            "POST /auth/password-reset$",
            said="重设密码的链接已发送",
        ),
    ],
    "/password/set": [
        Form(
            "#set-form",
            (
                Field("new_password", "Clerk&Sets2026", invalid="short"),
                Field("confirm_password", "Clerk&Sets2026", invalid=""),
            ),
            "POST /auth/link/password$",
            said="密码已设置",
        ),
    ],
    # 个人登录 (decision 0041): the code goes to the mobile on record; the second form appears then
    "/login/member": [
        Form(
            "#code-form",
            (
                Field("id_number", "{member_id_number}", invalid=""),
                Field("mobile", "{member_mobile}", invalid="1391000"),
            ),
            "POST /auth/member/code$",
            said="验证码已发送至该手机",
        ),
        Form(
            "#sign-in-form",
            (Field("code", "{code}", invalid="12345"),),
            "POST /auth/member/sign-in$",
        ),
    ],
}
