"""Wires the gateway: its own database (accounts, sessions, audit, its outbox and inbox), what it
consumes, and migrations."""

from pathlib import Path

from common.runtime import ServiceRuntime
from gateway.adapters.orm import Base, messaging
from gateway.contracts import SERVICE
from gateway.subscriptions import SUBSCRIPTIONS

runtime = ServiceRuntime(
    name=SERVICE,
    metadata=Base.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
)
