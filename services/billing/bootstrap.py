"""Wires the billing service: its database, tables, subscriptions and migrations."""

from pathlib import Path

from common.runtime import ServiceRuntime
from services.billing.adapters.orm import Base, messaging
from services.billing.subscriptions import SUBSCRIPTIONS

runtime = ServiceRuntime(
    name="billing",
    metadata=Base.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
)
