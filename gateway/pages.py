"""Server-rendered pages for people (Chinese). Pages are shells: their data comes from the same
`/api/v1/…` the API clients use, fetched by a little JavaScript (static/app.js) with the session
cookie and the CSRF token. Each page names the roles that may open it; others get a refusal page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, abort, g, make_response, redirect, render_template, request

from common import clock
from common.errors import AppError
from common.web import status_of, uow
from gateway import auth
from gateway.api.auth import client_ip, set_session_cookie
from gateway.app_state import db_session
from gateway.domain.accounts import ROLE_NAMES
from gateway.handlers import audit, verification


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    title: str
    roles: tuple[str, ...]
    nav: bool = True


# The menu, in order; a page appears in the menu of the roles that may open it.
PAGES = [
    Page("/", "dashboard.html", "首页", ("grassroots", "district", "centre")),
    Page("/notifications", "notifications.html", "通知", ("grassroots", "district", "centre")),
    Page("/centre/directory", "centre_directory.html", "工会名录", ("centre",)),
    Page("/district/unions", "district_unions.html", "基层工会", ("district",)),
    Page("/union/profile", "union_profile.html", "本会信息", ("grassroots",)),
    Page("/union/members", "union_members.html", "会员管理", ("grassroots",)),
    Page("/uploads", "uploads.html", "批量处理与同步", ("grassroots",)),
    Page("/union/transfers", "union_transfers.html", "会员转出审核", ("grassroots",)),
    Page("/union/enrolment", "union_enrolment.html", "参保办理", ("grassroots",)),
    Page("/documents", "documents.html", "告知书下载", ("grassroots", "district")),
    Page("/district/splits", "district_splits.html", "参保金额比例设置", ("district",)),
    Page("/district/approvals", "district_approvals.html", "会员审核", ("district",)),
    Page("/district/registrations", "district_registrations.html", "组织审核", ("district",)),
    Page("/district/uploads", "uploads.html", "工会批量导入", ("district",)),
    Page("/district/review", "district_review.html", "参保审核", ("district",)),
    Page("/batches", "batches.html", "参保批次管理", ("district",)),
    Page("/centre/years", "centre_years.html", "保障年度与价格", ("centre",)),
    Page("/centre/batches", "batches.html", "参保批次", ("centre",)),
    Page("/centre/reconciliation", "centre_reconciliation.html", "对账核销", ("centre",)),
    Page("/ageing", "ageing.html", "账龄与催缴", ("district", "centre")),
    Page("/centre/removals", "centre_removals.html", "人口办剔除", ("centre",)),
    Page("/centre/uploads", "uploads.html", "名单导入", ("centre",)),
    Page("/centre/accounts", "centre_accounts.html", "账号管理", ("centre",)),
    Page("/centre/audit", "centre_audit.html", "操作日志", ("centre",)),
    Page("/covers", "cover_lookup.html", "职工保障查询", ("grassroots", "district", "centre")),
    Page("/centre/reminders", "centre_reminders.html", "截止提醒", ("centre",)),
    # 代办员变更 (docs/decisions/0040-clerk-handover.md)
    Page("/union/clerk", "union_clerk.html", "代办员变更", ("grassroots",)),
    Page("/district/clerks", "district_clerks.html", "代办员管理", ("district",)),
    # the account menu (beside the name), for everyone
    Page("/account/sessions", "account_sessions.html", "登录设备", ("grassroots", "district", "centre"), nav=False),
    # 个人登录's one page (decision 0041): a member signed in by code sees their own card and cover
    Page("/me", "member_card.html", "我的会员卡与保障", ("member",)),
]
MEMBER_HOME = "/me"


def menu_for(role: str) -> list[Page]:
    return [p for p in PAGES if p.nav and role in p.roles]


def register(app: Flask) -> None:
    @app.get("/login")
    def login_page():
        if g.get("caller") is not None:
            return redirect("/")
        return render_template("login.html", error=None, username="")

    @app.post("/login")
    def login_submit():
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        session = db_session()
        try:
            account = auth.check_login(session, username, password, client_ip())
        except AppError as exc:
            g.audit_reason = exc.message
            return render_template("login.html", error=exc.message, username=username), status_of(exc)
        g.audit_user = account
        web = auth.start_web_session(session, account, request.headers.get("User-Agent"), client_ip())
        session.commit()
        response = redirect(_safe_next(request.args.get("next")))
        set_session_cookie(response, web.id)
        return response

    @app.get("/login/member")
    def member_login_page():
        """个人登录: a member signs in with a one-time code (docs/decisions/0041-member-sign-in.md)."""
        if g.get("caller") is not None:
            return redirect("/")
        return render_template("member_login.html", **_context(None, None))

    @app.get("/password/forgot")
    def password_forgot_page():
        """找回密码: for anyone, logged in or not (docs/decisions/0035-activation-links.md)."""
        return render_template("password_forgot.html", **_context(g.get("caller"), None))

    @app.get("/register")
    def register_page():
        """组织注册: for a union with no account (docs/decisions/0036-organisation-registration.md)."""
        return render_template("register.html", **_context(g.get("caller"), None))

    @app.get("/verify/<path:code>")
    def verify_page(code: str):
        """核验参保凭证: for anyone, no login; throttled per address, audited (decision 0042)."""
        return _verify(code)

    @app.get("/password/set")
    def password_set_page():
        """Set a password by a one-time link (its token in the fragment, read by the page's script)."""
        return render_template("password_set.html", **_context(g.get("caller"), None))

    @app.post("/logout")
    def logout_submit():
        caller = g.get("caller")
        if caller is not None:
            auth.logout(db_session(), caller)
            db_session().commit()
        response = redirect("/login")
        response.delete_cookie(auth.SESSION_COOKIE, path="/")
        return response

    @app.get("/favicon.ico")
    def favicon():  # pages name /static/favicon.svg; this answers clients that ask the old way
        return app.send_static_file("favicon.svg")

    for page in PAGES:
        app.add_url_rule(page.path, endpoint=f"page:{page.path}", view_func=_view(page))

    @app.errorhandler(403)
    def _forbidden_page(_exc):
        caller = g.get("caller")
        if request.path.startswith("/api/"):
            from common.web import error_response

            return error_response(403, "FORBIDDEN", "无权进行此操作")
        return render_template("refused.html", **_context(caller, None)), 403


def _verify(code: str):
    answer, error, status = None, None, 200
    try:
        with uow() as work:
            answer = verification.verify(work, code, client_ip(), g.request_id)
    except AppError as exc:
        error, status = exc.message, status_of(exc)
    caller = g.get("caller")
    account = caller.account if caller else None
    with uow() as work:
        audit.record(
            work,
            getattr(account, "username", None),
            getattr(account, "role", None),
            getattr(account, "union_id", None),
            getattr(account, "district_id", None),
            "GET /verify",  # never the code itself
            status,
            g.request_id,
            client_ip(),
            subject=verification.subject(code, answer),
            reason=error,
        )
    context = {**_context(caller, None), "answer": answer, "error": error, "today": clock.today().isoformat()}
    response = make_response(render_template("verify.html", **context), status)
    response.headers["Cache-Control"] = "no-store"  # today's answer, not yesterday's
    response.headers["Referrer-Policy"] = "no-referrer"  # the code is in the address
    return response


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def _context(caller, page: Page | None) -> dict:
    account = caller.account if caller else None
    return {
        "account": account,
        "page": page,
        "role_name": ROLE_NAMES.get(account.role, "个人会员" if account.role == "member" else "") if account else "",
        "menu": menu_for(account.role) if account else [],
        "csrf_token": caller.session.csrf_token if caller and caller.session else "",
    }


def _view(page: Page):
    def view():
        caller = g.get("caller")
        if caller is None:
            if page.path == MEMBER_HOME:  # a member's session ended: back to 个人登录
                return redirect("/login/member")
            return redirect("/login" + ("" if page.path == "/" else f"?next={page.path}"))
        if caller.account.role == "member" and page.path == "/":
            return redirect(MEMBER_HOME)
        if caller.account.role not in page.roles:
            abort(403)
        return render_template(page.template, **_context(caller, page))

    view.__name__ = "page_" + page.template.replace(".html", "")
    return view
