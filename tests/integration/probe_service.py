"""A tiny service built only on `common`, for proving the bus over real processes.

It consumes `probe.thing.happened` and writes one row to `effects` per application. What its
handler does is steered from outside, so a test can break it, fix it, or freeze it:

- `control` row `broken` = `1`: events with `data.fragile` fail (a bug); delete the row to fix it;
- env `PROBE_HANG_FILE`: events with `data.hang` touch that file, then hang inside the handler
  (before the commit) — the test SIGKILLs the process there;
- env `PROBE_PAUSE_FILE`: events with `data.pause_after_commit` commit their effect, touch the
  file and hang before the ack — the test SIGKILLs the process there.

Run it as a real process with the ordinary worker entry:

    PROBE_DATABASE_URL=... BUS_URL=... python -m common.worker tests.integration.probe_service:runtime
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select
from sqlalchemy.orm import Session

from common.bus import Subscription
from common.messaging_tables import add_messaging_tables
from common.runtime import ServiceRuntime

EVENT = "probe.thing.happened"

metadata = MetaData()
messaging = add_messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),  # deliberately not unique: doubles must show
    Column("seq", Integer, nullable=False),
    Column("pid", Integer, nullable=False),
)
control = Table(
    "control",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
)


def apply_thing(uow, event_: dict) -> None:
    """EffectWhenThingHappened: one row in `effects`."""
    data = event_["data"]
    uow.session.execute(insert(effects).values(event_id=event_["id"], seq=data.get("seq", 0), pid=os.getpid()))
    if data.get("fragile"):
        broken = uow.session.execute(select(control.c.value).where(control.c.key == "broken")).scalar()
        if broken == "1":
            raise RuntimeError("probe handler is broken")
    hang_file = os.environ.get("PROBE_HANG_FILE")
    if data.get("hang") and hang_file:
        Path(hang_file).write_text(str(os.getpid()))
        time.sleep(600)
    if data.get("pause_after_commit"):
        uow.session.info["pause_after_commit"] = True


@event.listens_for(Session, "after_commit")
def _pause_after_commit(session) -> None:
    pause_file = os.environ.get("PROBE_PAUSE_FILE")
    if session.info.pop("pause_after_commit", False) and pause_file:
        Path(pause_file).write_text(str(os.getpid()))
        time.sleep(600)  # committed, not yet acked


runtime = ServiceRuntime(
    name="probe",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent,  # unused: tests create the tables directly
    subscriptions=[Subscription("probe", "effects", {EVENT: apply_thing})],
)
