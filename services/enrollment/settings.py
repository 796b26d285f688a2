"""The enrollment service's settings, typed, from the environment.

`load()` reads every setting at once into one frozen value; a caller takes what it needs from it.
Enrollment has no setting of its own today: it reads the bus (the broker it asks how far behind
its member read model is, adapters/member_lag.py). Its database URL and the keys of personal
information are common plumbing (common/config.py, common/pii.py)."""

from __future__ import annotations

from dataclasses import dataclass

from common.config import BusSettings


@dataclass(frozen=True)
class Settings:
    bus: BusSettings


def load() -> Settings:
    return Settings(bus=BusSettings())
