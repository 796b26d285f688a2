"""`make run`: the whole system on the embedded default — SQLite files and a file-system bus
under ./data, no servers to install. Migrates, declares the bus, seeds the demo, starts every
process, prints where to open it and how to log in, and supervises: a process that dies is
restarted with backoff (1 s doubling to 30 s, reset after a stable minute), said on the console.
Ctrl-C (or SIGTERM) stops everything.

PORT_BASE moves every port (tests, or a second copy beside the first): gateway PORT_BASE,
services PORT_BASE+1…+5, worker metrics PORT_BASE+11…+18."""

from __future__ import annotations

import os
import signal
import sys
import threading

from common.config import SERVICES, data_dir, protect_data_dir


def ports_from(base: int | None) -> tuple[dict, dict]:
    from deploy.stack import METRICS_PORTS, PORTS

    if base is None:
        return dict(PORTS), dict(METRICS_PORTS)
    web = {name: base + i for i, name in enumerate(("gateway", *SERVICES))}
    return web, {name: base + 11 + i for i, name in enumerate(METRICS_PORTS)}


def main() -> int:
    os.environ.setdefault("DATA_DIR", str(data_dir()))
    protect_data_dir()  # keys, secrets, databases, mail: the owner's alone, older files included
    # The demo is served over plain http on localhost; browsers accept Secure cookies there,
    # but say so explicitly for other clients.
    os.environ.setdefault("COOKIE_SECURE", "0")
    from common.migrate import COMPONENTS, upgrade
    from deploy import seed, topology
    from deploy.stack import Stack

    base = os.environ.get("PORT_BASE")
    ports, metrics_ports = ports_from(int(base) if base else None)
    for component in COMPONENTS:
        upgrade(component)
    topology.declare()
    logins = seed.seed()
    stop = threading.Event()
    # Ctrl-C reaches the launcher only (the processes run in sessions of their own): stop them all
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stack = Stack(env=dict(os.environ), ports=ports, metrics_ports=metrics_ports, log_dir=data_dir() / "logs")
    try:
        stack.start_all()
        url = f"http://localhost:{ports['gateway']}"
        print("\n会员服务卡集中参保 — running (embedded mode: SQLite + file-system bus in", data_dir(), ")")
        print(f"\n  Open {url}  (API: {url}/api/v1/openapi.json)\n\n  Demo logins (password {seed.DEMO_PASSWORD}):")
        for username, display in logins:
            print(f"    {username:12s}  {display}")
        print(f"\n  Metrics: {url}/metrics (from this machine) and the services' own /metrics;")
        print("  workers: " + ", ".join(f"{name} :{port}" for name, port in metrics_ports.items()))
        print(f"  Logs: {data_dir() / 'logs'}   Stop: Ctrl-C\n", flush=True)
        stack.supervise(stop)
    finally:
        stack.stop_all()
        print("stopped every process", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
