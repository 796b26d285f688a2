"""Wires the notifications service: its database, tables, subscriptions and migrations."""

from pathlib import Path

from common.runtime import ServiceRuntime
from services.notifications.adapters.orm import Base, messaging
from services.notifications.subscriptions import SUBSCRIPTIONS

runtime = ServiceRuntime(
    name="notifications",
    metadata=Base.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
)
