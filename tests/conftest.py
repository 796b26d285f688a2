"""Shared test plumbing: fresh PostgreSQL databases, services under the Flask test client with a
signed identity, and a unique bus namespace per run. Real servers only — never mocks of them.

PostgreSQL is at PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
RabbitMQ at TEST_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672//). When one is down, the
tests that need it fail (they are never skipped): .ci/run starts both first."""

from __future__ import annotations

import importlib
import os
import tempfile
import uuid

import psycopg
import pytest

from common import identity as internal

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
RUN_ID = uuid.uuid4().hex[:8]

# Tests never touch the developer's ./data: every run gets its own folder and secret.
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix=f"union-test-{RUN_ID}-"))
os.environ.setdefault("INTERNAL_SECRET", "test-internal-secret-0123456789abcdef-" + RUN_ID)
os.environ.setdefault("GATEWAY_SECRET", "test-gateway-secret-0123456789abcdef-" + RUN_ID)


# The layer a test belongs to is the folder it lives in; the markers declared in pytest.ini follow
# from it, so `-m "not browser"` or `-m integration` selects a layer without decorating each test.
LAYER_MARKERS = {"integration": "integration", "e2e": "e2e", "browser": "browser"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = item.nodeid.split("/")
        layer = parts[1] if len(parts) > 2 and parts[0] == "tests" else None
        if layer in LAYER_MARKERS:
            item.add_marker(getattr(pytest.mark, LAYER_MARKERS[layer]))


def create_database(label: str) -> str:
    """A new, empty PostgreSQL database; returns its SQLAlchemy URL."""
    name = f"t_{label}_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database():
    """Factory: database('members') -> a fresh PostgreSQL URL, dropped after the test."""
    made = []

    def make(label: str) -> str:
        made.append(create_database(label))
        return made[-1]

    yield make
    for url in made:
        drop_database(url)


def auth_headers(
    role: str, union_id: int | None = None, district_id: int | None = None, user: str | None = None
) -> dict:
    ident = internal.Identity(
        user=user or f"test-{role}", role=role, union_id=union_id, district_id=district_id, request_id="test"
    )
    return {internal.HEADER: internal.sign(ident)}


class ServiceClient:
    """The Flask test client of one service, on its own fresh PostgreSQL database."""

    def __init__(self, service: str, url: str):
        self.service = service
        os.environ[f"{service.upper()}_DATABASE_URL"] = url
        self.runtime = importlib.import_module(f"services.{service}.bootstrap").runtime
        self.runtime.reset()
        from common.migrate import upgrade

        upgrade(service)
        self.app = importlib.import_module(f"services.{service}.app").create_app()
        self.app.testing = True
        self.client = self.app.test_client()

    def as_(self, role: str, union_id=None, district_id=None, user=None) -> RoleClient:
        return RoleClient(self.client, auth_headers(role, union_id, district_id, user))

    def outbox(self) -> list[dict]:
        import json

        from sqlalchemy import select

        table = self.runtime.messaging.outbox
        with self.runtime.engine.connect() as conn:
            return [json.loads(r.payload) for r in conn.execute(select(table.c.payload).order_by(table.c.id))]

    def member_events(self) -> list[dict]:
        """The outbox with each members.member.* event unrolled into one per member (its `data`
        that member's snapshot), as consumers read them: from schema version 2 one event
        carries many members (issue 30)."""
        out = []
        for event in self.outbox():
            if event["type"].startswith("members.member.") and event.get("schema_version", 1) >= 2:
                out += [{**event, "data": snapshot} for snapshot in event["data"]["members"]]
            else:
                out.append(event)
        return out

    def close(self) -> None:
        self.runtime.reset()
        os.environ.pop(f"{self.service.upper()}_DATABASE_URL", None)


class RoleClient:
    def __init__(self, client, headers):
        self.client = client
        self.headers = headers

    def __getattr__(self, method):
        def call(path, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(path, headers=headers, **kwargs)

        return call


@pytest.fixture
def service(database):
    """Factory: service('members') -> ServiceClient on a fresh database."""
    made = []

    def make(name: str) -> ServiceClient:
        made.append(ServiceClient(name, database(name)))
        return made[-1]

    yield make
    for svc in made:
        svc.close()


@pytest.fixture(scope="module")
def system():
    """The whole system as real processes (see tests/system.py); one per test module."""
    from tests.system import System

    running = System().start()
    yield running
    running.stop()
