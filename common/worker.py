"""A service's background process: its outbox relay and its event consumers.

    python -m common.worker members            # relay + every consumer of the service
    python -m common.worker billing --relay    # only the relay
    python -m common.worker billing --consume directory
    python -m common.worker some.module:runtime      # any ServiceRuntime (tests' probe service)

Production runs relays and consumers as their own processes (docker-compose.yml); the embedded
launcher runs one worker per service with both."""
from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import threading

from common import logs
from common.config import BusSettings
from common.consumer import EventConsumer
from common.relay import Relay

log = logging.getLogger("worker")


def load_runtime(service: str):
    """A service name (`billing`) or a `module:attribute` naming a ServiceRuntime."""
    if ":" in service:
        module, attribute = service.split(":", 1)
        return getattr(importlib.import_module(module), attribute)
    return importlib.import_module(f"services.{service}.bootstrap").runtime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.worker")
    parser.add_argument("service")
    parser.add_argument("--relay", action="store_true", help="run the outbox relay")
    parser.add_argument("--consume", nargs="*", help="consumers to run (default: all, unless --relay alone)")
    args = parser.parse_args(argv)
    logs.setup(f"{args.service.split(':')[0]}-worker")
    runtime = load_runtime(args.service)
    settings = BusSettings()
    run_relay = args.relay or args.consume is None
    wanted = args.consume if args.consume else ([] if args.relay and args.consume is None else None)
    subs = [s for s in runtime.subscriptions if wanted is None or s.consumer in wanted]

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = []
    if run_relay:
        threads.append(threading.Thread(target=Relay(runtime, settings).run_forever, args=(stop,), name="relay"))
    for sub in subs:
        threads.append(threading.Thread(target=EventConsumer(runtime, sub, settings).run_forever, args=(stop,),
                                        name=f"consume-{sub.consumer}"))
    for thread in threads:
        thread.daemon = True
        thread.start()
    log.info("worker started", extra={"threads": [t.name for t in threads]})
    while not stop.is_set():
        stop.wait(0.5)
    for thread in threads:
        thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
