"""The members service's settings, typed, from the environment (docs/operations.md).

`load()` reads every setting at once into one frozen value; a caller takes what it needs from it.
It is called where a request or a message needs a setting (not at import), so that a deployment
and a test may set the environment before the work that reads it — the lookup quota is read at
each decision, which costs nothing beside the lookups it guards."""

from __future__ import annotations

import os
from dataclasses import dataclass

from services.members.contracts import MEMBERS_PER_EVENT
from services.members.domain.lookup_quota import FLOOR, PER_MEMBER, LookupQuota


@dataclass(frozen=True)
class Settings:
    # 证件号码查询量 (decision 0021): ID_LOOKUP_PER_MEMBER rows a day per member of the union's
    # roster, never fewer than ID_LOOKUP_FLOOR.
    lookup_quota: LookupQuota
    # members.member.* (schema version 2, issue 30): at most MEMBERS_PER_EVENT snapshots a message
    members_per_event: int


def load() -> Settings:
    env = os.environ
    return Settings(
        lookup_quota=LookupQuota(
            per_member=int(env.get("ID_LOOKUP_PER_MEMBER", PER_MEMBER)),
            floor=int(env.get("ID_LOOKUP_FLOOR", FLOOR)),
        ),
        members_per_event=max(1, int(env.get("MEMBERS_PER_EVENT", MEMBERS_PER_EVENT))),
    )
