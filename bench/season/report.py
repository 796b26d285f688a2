"""What a season prints and keeps: each phase's wall time beside its stage sum, the CPU each
process spent in it and the load at its end; counts and timestamped notes; at the end the summary
and the checker's table (bench/season_check.py)."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from bench.season_check import check

TICK = os.sysconf("SC_CLK_TCK")


def say(line: str) -> None:
    print(line, flush=True)


@dataclass
class Phase:
    name: str
    wall: float = 0.0
    units: int = 0
    unit_alone: float = 0.0  # one unit timed alone, in the same run
    cpu: Counter = field(default_factory=Counter)  # CPU seconds by process during the phase
    load: str = ""

    @property
    def stages(self) -> float:
        return self.unit_alone * self.units


def load_average() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def cpu_by_process(groups: dict[int, str], databases: list[str]) -> Counter:
    """CPU seconds so far (user + system, with reaped children) of each of the system's processes
    (each leads its own process group: gunicorn's workers count with their master), of the
    PostgreSQL backends serving the season's databases ("postgres"), of the broker ("rabbitmq",
    shared with other users of it), and of the whole machine ("machine", every core, everyone's)."""
    out: Counter = Counter()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                raw = f.read().decode(errors="replace")
            comm, rest = raw[raw.index("(") + 1 : raw.rindex(")")], raw[raw.rindex(")") + 2 :].split()
            pgrp, ticks = int(rest[2]), sum(int(x) for x in rest[11:15])
            name = groups.get(pgrp)
            if name is None and comm == "postgres":
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read().decode(errors="replace")
                if any(db in cmdline for db in databases):
                    name = "postgres"
            elif name is None and comm in ("beam.smp", "erl_child_setup"):
                name = "rabbitmq"
            if name:
                out[name] += ticks / TICK
        except (OSError, ValueError, IndexError):
            continue
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    out["machine"] = (sum(fields) - fields[3] - fields[4]) / TICK  # all but idle and iowait
    return out


def cpu_line(cpu: Counter) -> str:
    ours = sum(v for k, v in cpu.items() if k not in ("machine", "rabbitmq"))
    top = sorted(((v, k) for k, v in cpu.items() if k != "machine" and v >= 0.05), reverse=True)
    return (
        ", ".join(f"{k} {v:.1f}" for v, k in top)
        + f"; season's processes {ours:.0f} of the machine's {cpu.get('machine', 0):.0f}"
    )


# the phases whose work is members' own (their events: issue 30's batched member events)
MEMBER_PHASES = ("imports", "approvals", "cards")


def per_member_line(cpu: Counter, members: int) -> str:
    """CPU per member (ms) in total — every process of the season, PostgreSQL and the broker
    included — and by process (issue 30 item 1)."""
    per = {k: v * 1000 / max(members, 1) for k, v in cpu.items() if k != "machine"}
    top = sorted(((v, k) for k, v in per.items() if v >= 0.005), reverse=True)
    return f"cpu per member {sum(per.values()):.2f} ms (" + ", ".join(f"{k} {v:.2f}" for v, k in top) + ")"


class Record:
    """A season's record as it runs: its timed phases, its counts and its notes, printed as it
    goes and summed up at the end."""

    def __init__(self, system):
        self.system = system
        self.phases: list[Phase] = []
        self.notes: list[str] = []
        self.counts: Counter = Counter()
        self._counts_lock = threading.Lock()

    def note(self, line: str) -> None:
        """A note for the summary, stamped with the time of day."""
        self.notes.append(f"{time.strftime('%H:%M:%S')} {line}")

    def count(self, what: str, n: int = 1) -> None:
        with self._counts_lock:
            self.counts[what] += n

    def cpu(self) -> Counter:
        groups = {proc.pid: name for name, proc in list(self.system.stack.processes.items())}
        names = [url.rsplit("/", 1)[-1].split("?")[0] for url in self.system.databases.values()]
        return cpu_by_process(groups, names)

    @contextmanager
    def phase(self, name: str):
        """A phase timed (its wall time, the CPU each process spent, the load at its end), printed
        and kept; the caller sets the phase's stage (`unit_alone`, `units`)."""
        phase = Phase(name)
        cpu_before = self.cpu()
        started = time.perf_counter()
        say(f"-- {name}")
        yield phase
        phase.wall = time.perf_counter() - started
        phase.cpu = self.cpu() - cpu_before
        phase.load = load_average()
        self.phases.append(phase)
        ratio = f"{phase.wall / phase.stages:5.2f}×" if phase.stages else "     "
        say(
            f"   {name:<34s} {phase.wall:8.1f} s   stages {phase.stages:8.1f} s ({phase.units} × "
            f"{phase.unit_alone:.3f} s) {ratio}  {phase.load}"
        )
        say(f"   cpu s: {cpu_line(phase.cpu)}")

    def summary(self, headline: str, provisioning: float, total: float, members: int) -> None:
        """The season's table of phases, its CPU, counts and notes."""
        stages = sum(p.stages for p in self.phases)
        say("")
        say(headline)
        say(f"  provisioning before the season (not counted): {provisioning:.1f} s")
        say(f"  {'phase':<46s} {'wall':>8s} {'stages':>8s} {'ratio':>6s}  load (1, 5, 15 min) at its end")
        for p in self.phases:
            ratio = f"{p.wall / p.stages:5.2f}×" if p.stages else ""
            say(f"  {p.name:<46s} {p.wall:8.1f} {p.stages:8.1f} {ratio:>6s}  {p.load}")
        say(f"  {'total':<46s} {total:8.1f} {stages:8.1f} {total / stages if stages else 0:5.2f}×  {load_average()}")
        total_cpu = sum((p.cpu for p in self.phases), Counter())
        say(f"  cpu s over the phases: {cpu_line(total_cpu)}")
        say(f"  {per_member_line(total_cpu, members)}")
        member_phases = [p for p in self.phases if p.name.split(" ")[0] in MEMBER_PHASES]
        member_cpu = sum((p.cpu for p in member_phases), Counter())
        say(f"  imports, approvals, cards only: {per_member_line(member_cpu, members)}")
        for what, n in sorted(self.counts.items()):
            say(f"  {what}: {n}")
        say(
            f"  {members:,} members: {total / max(members, 1) * 1e6:,.0f} s per million; goal at 1,000,000: "
            f"≤ 900 s and ≤ 2× stages"
        )
        for note in self.notes:
            say(f"  {note}")


def checked(databases: dict[str, str], settings, explained: set[str]):
    """The checker run over the season's cover year, its table printed; its report returned."""
    report = check(databases, settings, 2020, explained)
    say("checker:")
    say(report.table())
    return report
