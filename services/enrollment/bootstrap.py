"""Wires the enrollment service: its database, tables, subscriptions and migrations."""
from pathlib import Path

from common.runtime import ServiceRuntime
from services.enrollment.adapters.orm import Base, messaging
from services.enrollment.subscriptions import SUBSCRIPTIONS

runtime = ServiceRuntime(
    name="enrollment",
    metadata=Base.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
)
