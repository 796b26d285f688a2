"""Wires the gateway: its own database (accounts, sessions, audit) and migrations."""

from pathlib import Path

from common.runtime import ServiceRuntime
from gateway.adapters.orm import Base

runtime = ServiceRuntime(
    name="gateway",
    metadata=Base.metadata,
    messaging=None,
    migrations_dir=Path(__file__).parent / "migrations",
)
