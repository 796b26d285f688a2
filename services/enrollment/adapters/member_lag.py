"""Whether enrollment's member read model is behind members (issue 16): the events still waiting
in its `members` queue, asked of the broker off the request path — a background look at most
every few seconds — so that a request reads the last answer and never waits on the broker.
None until the first look has answered, and while the broker does not answer."""

from __future__ import annotations

import threading
import time

from services.enrollment.contracts import MEMBERS_CONSUMER, SERVICE

REFRESH_SECONDS = 5.0

_lock = threading.Lock()
_state: dict = {"collector": None, "value": None, "at": float("-inf"), "looking": False}


def _collector():
    from common.metrics import QueueDepthCollector
    from services.enrollment import settings as enrollment_settings

    settings = enrollment_settings.load().bus
    return QueueDepthCollector(settings, [settings.queue_name(SERVICE, MEMBERS_CONSUMER)], cache_seconds=0)


def pending_member_events() -> int | None:
    """Member events not yet applied to the read model, as of the last look (≤ REFRESH_SECONDS old)."""
    with _lock:
        if _state["collector"] is None:
            _state["collector"] = _collector()
        look = time.monotonic() - _state["at"] >= REFRESH_SECONDS and not _state["looking"]
        if look:
            _state["looking"] = True
        value = _state["value"]
    if look:
        threading.Thread(target=_look, name="member-lag", daemon=True).start()
    return value


def _look() -> None:
    collector = _state["collector"]
    value = None
    try:
        depths = collector.depths()
        value = None if depths is None else depths.get(collector.queues[0])
    finally:
        with _lock:
            _state.update(value=value, at=time.monotonic(), looking=False)
