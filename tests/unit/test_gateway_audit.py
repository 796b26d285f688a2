"""操作日志 in words: every changing route of the gateway and of each service is said as an
action a clerk understands; outcomes in Chinese; a record reads as who (account and its union or
district) did what to whom — never a method, a path, a status code or an internal id."""

from datetime import datetime

from flask import Flask
from flask_smorest import Api

from gateway.adapters.orm import AuditRecord
from gateway.domain import audit_words
from gateway.handlers.audit import describe, in_words

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _service_routes():
    from gateway.api import accounts, auth, password_links, sessions
    from gateway.api import registrations as public_registrations
    from services.billing.api import (
        ageing,
        allocations,
        bank_statements,
        batches,
        jobs,
        prices,
        reconciliation,
        reports,
        settlement_credits,
    )
    from services.documents.api import documents
    from services.enrollment.api import batches as enrolment_batches
    from services.enrollment.api import confirmation, cover_years, covers, review, submissions
    from services.members.api import directory, id_lookups, registrations, roster, transfers, uploads
    from services.notifications.api import notifications, reminders

    per_service = {
        "members": [directory.blp, roster.blp, transfers.blp, uploads.blp, id_lookups.blp, registrations.blp],
        "enrollment": [
            cover_years.blp,
            covers.blp,
            confirmation.blp,
            submissions.blp,
            review.blp,
            enrolment_batches.blp,
        ],
        "billing": [
            batches.blp,
            bank_statements.blp,
            settlement_credits.blp,
            jobs.blp,
            prices.blp,
            reconciliation.blp,
            reports.blp,
            allocations.blp,
            ageing.blp,
        ],
        "documents": [documents.blp],
        "notifications": [notifications.blp, reminders.blp],
        "": [accounts.blp, auth.blp, sessions.blp, password_links.blp, public_registrations.blp],
    }
    for service, blueprints in per_service.items():
        app = Flask(f"routes-{service or 'gateway'}")
        app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.0.3")
        api = Api(app)
        for bp in blueprints:
            api.register_blueprint(bp)
        for rule in app.url_map.iter_rules():
            for method in sorted(rule.methods & CHANGING):
                # a sample path: every converter gets a number (segments named by "*" take any)
                path = "".join("7" if is_dynamic else text for is_dynamic, text in rule._trace if text != "|")
                prefix = "/api/v1/" + (f"{service}" if service else "")
                yield method, (prefix + path) if service else path


def test_every_changing_route_is_said_in_words():
    routes = list(_service_routes())
    assert len(routes) > 40
    unknown = [(m, p) for m, p in routes if audit_words.action_words(m, p) == audit_words.OTHER]
    assert unknown == []
    assert audit_words.action_words("POST", "/api/v1/members/members/42/id-number-reveals") == "查看完整证件号码"
    assert audit_words.action_words("POST", "/api/v1/billing/batches/3/write-off") == "核销参保批次"
    assert audit_words.action_words("POST", "/login") == "登录"
    assert audit_words.action_words("POST", "/api/v1/members/members/x/id-number-reveals") == audit_words.OTHER


def _row(**kw):
    base = {
        "id": 1,
        "at": datetime(2026, 12, 7, 16, 0),
        "username": "district",
        "role": "district",
        "union_id": None,
        "district_id": 3,
        "action": "POST /api/v1/members/members/42/id-number-reveals",
        "status": 200,
        "outcome": "ok",
        "request_id": "r",
        "ip": "127.0.0.1",
        "detail": None,
        "subject": "张三（3101**********1234）",
        "reason": None,
    }
    base.update(kw)
    return AuditRecord(**base)


def test_a_record_reads_as_who_did_what_to_whom_with_the_outcome_in_chinese():
    names = {("district", 3): "黄浦区总工会", ("union", 5): "上海示范科技有限公司工会"}
    reveal = in_words(_row(), names)
    assert reveal == {
        "actor": "district（黄浦区总工会）",
        "what": "查看完整证件号码：张三（3101**********1234）",
        "result": "成功",
        "summary": "district（黄浦区总工会） 查看完整证件号码：张三（3101**********1234），成功",
    }
    refused = in_words(
        _row(
            username="grassroots1",
            role="grassroots",
            union_id=5,
            status=409,
            action="POST /api/v1/enrollment/submissions",
            outcome="refused",
            subject=None,
            reason="不在基层工会提交时间内（2019-11-01 至 2019-12-27）",
        ),
        names,
    )
    assert refused["actor"] == "grassroots1（上海示范科技有限公司工会）"
    assert refused["what"] == "提交参保信息至区局审核"
    assert refused["result"] == "被拒绝：不在基层工会提交时间内（2019-11-01 至 2019-12-27）"
    login = in_words(
        _row(username="centre", role="centre", district_id=None, action="POST /login", status=302, subject=None), names
    )
    assert login["summary"] == "centre（市职保中心） 登录，成功"
    nobody = in_words(
        _row(
            username=None,
            role=None,
            district_id=None,
            action="POST /api/v1/auth/login",
            status=401,
            outcome="refused",
            subject=None,
            reason="用户名或密码错误",
        ),
        names,
    )
    assert nobody["summary"] == "（未登录） 登录，被拒绝：用户名或密码错误"
    for record in (reveal, refused, login, nobody):
        text = " ".join(record.values())
        for raw in ("POST", "/api/", "200", "302", "401", "409", "42"):
            assert raw not in text, (raw, text)


def test_a_change_refused_by_the_lookup_quota_says_so():
    for action in (
        "POST /api/v1/members/uploads/sync",
        "POST /api/v1/members/uploads/transfer-in",
        "POST /api/v1/members/uploads/import",
        "POST /api/v1/members/uploads/cards",
        "POST /api/v1/members/members",
        "PATCH /api/v1/members/members/7",
        "PUT /api/v1/members/members/7/card",
    ):
        assert describe(action, 429) == "超出每日证件号码查询额度，未做任何处理"
        assert describe(action, 202) is None
    assert describe("POST /api/v1/enrollment/submissions", 429) is None
    refused = in_words(
        _row(
            username="grassroots1",
            role="grassroots",
            union_id=5,
            status=429,
            outcome="refused",
            action="POST /api/v1/members/uploads/sync",
            subject="文件 roster.xlsx",
            detail="超出每日证件号码查询额度，未做任何处理",
            reason="今日已查询 2 行……",
        ),
        {},
    )
    assert refused["result"] == "被拒绝：超出每日证件号码查询额度，未做任何处理"
    assert refused["actor"] == "grassroots1（基层工会）"
