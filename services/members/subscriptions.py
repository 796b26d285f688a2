"""What the members service consumes: nothing — it owns the directory and the roster that the
other services keep read models of. The list stays so that every service has the same shape."""
from __future__ import annotations

SUBSCRIPTIONS = []
