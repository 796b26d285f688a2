"""The season's floor (issue 30, deliver item 1): what its essential work costs done barely, in the
same run, on the same PostgreSQL — the season's numbers of members, covers and notices.

- members: each row's ID number sealed and blind-indexed and its masked copy made (the at-rest
  rule, decision 0022), the rows written by one COPY, then approved (one UPDATE setting a member
  number) and carded (one UPDATE): a member inserted, approved and carded;
- covers: one INSERT … SELECT of a cover row per member (with its unique key);
- notices: one bare render of a grassroots notice (the documents service's template and font),
  times the number of notices.

The CPU counted is this process's (`time.process_time`) and its PostgreSQL backend's (from /proc):
what the season's processes would spend if the work had no messages, no HTTP and no ORM."""

from __future__ import annotations

import io
import os
import time
import uuid
from dataclasses import dataclass

import psycopg

from bench.scratch import PG_ADMIN_URL

TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Floor:
    members_s: float  # CPU seconds: seal, index, mask, COPY, approve, card
    covers_s: float
    notice_s: float  # one bare render
    notices: int

    @property
    def total_s(self) -> float:
        return self.members_s + self.covers_s + self.notice_s * self.notices


def _backend_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode(errors="replace")
        rest = raw[raw.rindex(")") + 2 :].split()
        return sum(int(x) for x in rest[11:13]) / TICK
    except (OSError, ValueError, IndexError):
        return 0.0


class _Clock:
    """CPU seconds of this process and of one PostgreSQL backend."""

    def __init__(self, backend_pid: int):
        self.pid = backend_pid

    def now(self) -> float:
        return time.process_time() + _backend_cpu(self.pid)


def _members(conn, clock: _Clock, n: int) -> float:
    from common.crypto import blind_index, seal
    from common.pii import mask_id

    conn.execute(
        "CREATE TABLE m (id bigint PRIMARY KEY, union_id int NOT NULL, name text NOT NULL, id_sealed text NOT NULL,"
        " id_index text NOT NULL UNIQUE, id_masked text NOT NULL, status text NOT NULL, member_no text,"
        " card_number text, version int NOT NULL)"
    )
    conn.commit()
    started = clock.now()
    with conn.cursor().copy("COPY m FROM STDIN") as copy:
        for i in range(n):
            number = f"310101199001{i % 100:02d}{i:04d}"[-18:]
            copy.write_row(
                (
                    i + 1,
                    i // 250 + 1,
                    f"会员{i}",
                    seal("id_number", number),
                    blind_index("id_number", number),
                    mask_id(number),
                    "pending",
                    None,
                    None,
                    1,
                )
            )
    conn.execute("UPDATE m SET status = 'normal', member_no = lpad(id::text, 10, '0'), version = version + 1")
    conn.execute("UPDATE m SET card_number = '6222' || lpad(id::text, 12, '0'), version = version + 1")
    conn.commit()
    return clock.now() - started


def _covers(conn, clock: _Clock) -> float:
    conn.execute(
        "CREATE TABLE c (id bigserial PRIMARY KEY, member_id bigint NOT NULL, cover_year int NOT NULL,"
        " status text NOT NULL, UNIQUE (member_id, cover_year))"
    )
    conn.commit()
    started = clock.now()
    conn.execute("INSERT INTO c (member_id, cover_year, status) SELECT id, 2020, 'active' FROM m")
    conn.commit()
    return clock.now() - started


def _one_render() -> float:
    from bench.notice import _facts
    from services.documents.adapters import pdf

    make = _facts()["grassroots notice"]
    pdf.render_notice(make())  # warm-up: fonts, imports
    started = time.process_time()
    assert pdf.render_notice(make()).startswith(b"%PDF")
    return time.process_time() - started


def measure(members: int, notices: int) -> Floor:
    """The floor for `members` members (each with a cover) and `notices` notices, on a scratch
    database dropped afterwards."""
    name = f"bench_floor_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name) as conn:
            clock = _Clock(conn.info.backend_pid)
            members_s = _members(conn, clock, members)
            covers_s = _covers(conn, clock)
        return Floor(members_s, covers_s, _one_render(), notices)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def floor_lines(floor: Floor, season_cpu_s: float, members: int) -> list[str]:
    """The floor beside the season's CPU, per member, and their ratio."""
    per = 1000 / max(members, 1)
    out = io.StringIO()
    out.write(
        f"  floor (bare, same run): {floor.total_s * per:.3f} ms of CPU per member — members sealed, indexed, "
        f"written, approved and carded {floor.members_s * per:.3f}, covers {floor.covers_s * per:.3f}, "
        f"notices {floor.notices} × {floor.notice_s * 1000:.0f} ms = {floor.notice_s * floor.notices * per:.3f}"
    )
    ratio = season_cpu_s / floor.total_s if floor.total_s else 0.0
    return [
        out.getvalue(),
        f"  season {season_cpu_s * per:.2f} ms of CPU per member = {ratio:.1f}× the floor "
        "(goal: ≤ 1 ms per member, issue 30)",
    ]
