"""A service's runtime on a fresh PostgreSQL database, migrated, and dropped afterwards — what
every database benchmark starts from."""

from __future__ import annotations

import importlib
import os
import tempfile
import uuid
from contextlib import contextmanager

import psycopg

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(service: str, label: str):
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ[f"{service.upper()}_DATABASE_URL"] = (
        PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
    )
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-"))
    from common.migrate import upgrade

    runtime = importlib.import_module(f"services.{service}.bootstrap").runtime
    runtime.reset()
    upgrade(service)
    try:
        yield runtime
    finally:
        runtime.reset()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
