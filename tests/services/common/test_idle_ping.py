"""Pooled PostgreSQL connections are pinged only after they sat idle (common/db.py,
docs/decisions/0048-request-cost.md): a connection whose server went away while idle is replaced
before it is handed out, and one that broke inside the window fails one statement and then the
pool starts afresh."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from common.db import make_engine
from tests.conftest import PG_ADMIN_URL


def _kill(pid: int) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


def test_a_connection_idle_past_the_window_is_pinged_and_replaced(database):
    engine = make_engine(database("ping"), ping_after=0, pool_size=1, max_overflow=0)
    try:
        dead = _pid(engine)
        _kill(dead)
        assert _pid(engine) != dead  # pinged at checkout, found gone, replaced: no error
    finally:
        engine.dispose()


def test_a_connection_used_within_the_window_is_not_pinged(database):
    engine = make_engine(database("ping"), ping_after=3600, pool_size=1, max_overflow=0)
    try:
        dead = _pid(engine)
        _kill(dead)
        with pytest.raises(OperationalError), engine.connect() as conn:  # taken as it was: no ping
            conn.execute(text("SELECT 1"))
        assert _pid(engine) != dead  # the disconnect dropped the pool: the next one is fresh
    finally:
        engine.dispose()


def test_a_request_whose_connection_was_dropped_is_told_to_retry_not_a_server_error(database):
    """The one statement that meets a dropped connection answers 503 SERVICE_UNAVAILABLE in words
    (common/web.py), and the next request is served on a fresh connection."""
    from flask import Flask, jsonify

    from common.web import register_error_handlers

    engine = make_engine(database("ping"), ping_after=3600, pool_size=1, max_overflow=0)
    app = Flask(__name__)
    register_error_handlers(app)

    @app.get("/pid")
    def pid():
        return jsonify(_pid(engine))

    try:
        client = app.test_client()
        first = client.get("/pid").get_json()
        _kill(first)
        dropped = client.get("/pid")
        assert dropped.status_code == 503
        assert dropped.get_json()["error"] == {"code": "SERVICE_UNAVAILABLE", "message": "服务暂时不可用，请稍后重试"}
        again = client.get("/pid")
        assert again.status_code == 200 and again.get_json() != first
    finally:
        engine.dispose()
