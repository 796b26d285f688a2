"""Wires the documents service: its database, tables, subscriptions and migrations."""

from pathlib import Path

from common.runtime import ServiceRuntime
from services.documents.adapters.orm import Base, messaging
from services.documents.subscriptions import SUBSCRIPTIONS

runtime = ServiceRuntime(
    name="documents",
    metadata=Base.metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent / "migrations",
    subscriptions=SUBSCRIPTIONS,
)
