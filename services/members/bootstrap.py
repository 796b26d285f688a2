"""Wires the members service: its database, tables, subscriptions and migrations."""

from pathlib import Path

from common.runtime import ServiceRuntime
from services.members.adapters.orm import SEALED, Base, messaging
from services.members.subscriptions import SUBSCRIPTIONS

runtime = ServiceRuntime(
    name="members",
    metadata=Base.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
    sealed=SEALED,
)
