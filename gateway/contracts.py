"""What the gateway publishes (see docs/events.md): its name on the bus and its event names.
Imports no handlers."""

from __future__ import annotations

SERVICE = "gateway"
