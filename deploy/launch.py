"""`make run`: the whole system on the embedded default — SQLite files and a file-system bus
under ./data, no servers to install. Migrates, declares the bus, seeds the demo, starts every
process and prints where to open it and how to log in."""
from __future__ import annotations

import os
import signal
import sys
import time

from common.config import data_dir


def main() -> int:
    os.environ.setdefault("DATA_DIR", str(data_dir()))
    # The demo is served over plain http on localhost; browsers accept Secure cookies there,
    # but say so explicitly for other clients.
    os.environ.setdefault("COOKIE_SECURE", "0")
    from common.migrate import upgrade, COMPONENTS
    from deploy import seed, topology
    from deploy.stack import PORTS, Stack

    for component in COMPONENTS:
        upgrade(component)
    topology.declare()
    logins = seed.seed()
    stack = Stack(env=dict(os.environ), log_dir=data_dir() / "logs")
    stack.start_all()
    url = f"http://localhost:{PORTS['gateway']}"
    print("\n会员服务卡集中参保 — running (embedded mode: SQLite + file-system bus in", data_dir(), ")")
    print(f"\n  Open {url}  (API: {url}/api/v1/openapi.json)\n\n  Demo logins (password {seed.DEMO_PASSWORD}):")
    for username, display in logins:
        print(f"    {username:12s}  {display}")
    print(f"\n  Logs: {data_dir() / 'logs'}   Stop: Ctrl-C\n", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        while not stopping:
            for name, proc in list(stack.processes.items()):
                if stopping:
                    break
                if proc.poll() is not None:
                    print(f"{name} stopped unexpectedly (exit {proc.returncode}); see its log", file=sys.stderr)
                    stack.processes.pop(name)
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
