"""Server-rendered pages for people (Chinese). They call the same API as any other client."""
from __future__ import annotations

from flask import Flask, g, redirect, render_template, request

from common.errors import AppError
from gateway import auth
from gateway.api.auth import client_ip, set_session_cookie
from gateway.app_state import db_session
from gateway.domain.accounts import ROLE_NAMES


def register(app: Flask) -> None:
    @app.get("/login")
    def login_page():
        return render_template("login.html", error=None, username="")

    @app.post("/login")
    def login_submit():
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        session = db_session()
        try:
            account = auth.check_login(session, username, password, client_ip())
        except AppError as exc:
            return render_template("login.html", error=exc.message, username=username), exc.status
        g.audit_user = account
        web = auth.start_web_session(session, account)
        session.commit()
        response = redirect("/")
        set_session_cookie(response, web.id)
        return response

    @app.get("/")
    def home():
        caller = g.get("caller")
        if caller is None:
            return redirect("/login")
        return render_template("home.html", account=caller.account, role_name=ROLE_NAMES[caller.account.role],
                               csrf_token=caller.session.csrf_token if caller.session else "")
