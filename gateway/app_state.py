"""The gateway's per-request database session."""

from __future__ import annotations

from flask import g

from gateway.bootstrap import runtime


def db_session():
    if "db" not in g:
        g.db = runtime.sessions()
    return g.db


def close_db_session(_exc=None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.rollback()
        db.close()
