"""A service's background process: its outbox relay and its event consumers.

    python -m common.worker members            # relay + every consumer of the service
    python -m common.worker gateway            # the gateway's outbox and its one consumer
    python -m common.worker billing --relay    # only the relay
    python -m common.worker billing --consume directory
    python -m common.worker some.module:runtime      # any ServiceRuntime (tests' probe service)
    python -m common.worker members --metrics-port 9101   # or METRICS_PORT; 0 picks a free port

Production runs relays and consumers as their own processes (docker-compose.yml); the embedded
launcher runs one worker per service with both. With a metrics port, the worker serves
`/metrics`, `/health` and `/ready` there (common/metrics.py): `/ready` answers 503 once its relay
has failed to publish for longer than RELAY_UNREADY_AFTER (60 s)."""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
import threading

from prometheus_client.registry import Collector

from common import logs, metrics
from common.config import BusSettings
from common.consumer import EventConsumer
from common.relay import Relay
from common.runtime import ServiceRuntime

log = logging.getLogger("worker")


def load_runtime(service: str) -> ServiceRuntime:
    """A service name (`billing`) or a `module:attribute` naming a ServiceRuntime."""
    if ":" in service:
        module, attribute = service.split(":", 1)
        named: ServiceRuntime = getattr(importlib.import_module(module), attribute)
        return named
    module = "gateway.bootstrap" if service == "gateway" else f"services.{service}.bootstrap"
    runtime: ServiceRuntime = importlib.import_module(module).runtime
    return runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.worker")
    parser.add_argument("service")
    parser.add_argument("--relay", action="store_true", help="run the outbox relay")
    parser.add_argument("--consume", nargs="*", help="consumers to run (default: all, unless --relay alone)")
    parser.add_argument(
        "--metrics-port",
        type=int,
        default=metrics.metrics_port(),
        help="serve /metrics, /health, /ready on this port (default METRICS_PORT; none: off)",
    )
    args = parser.parse_args(argv)
    process = f"{args.service.split(':')[0]}-worker"
    logs.setup(process)
    runtime = load_runtime(args.service)
    settings = BusSettings()
    run_relay = args.relay or args.consume is None
    wanted = args.consume if args.consume else ([] if args.relay and args.consume is None else None)
    subs = [s for s in runtime.subscriptions if wanted is None or s.consumer in wanted]

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = []
    relay = Relay(runtime, settings) if run_relay else None
    if relay is not None:
        threads.append(threading.Thread(target=relay.run_forever, args=(stop,), name="relay"))
    for sub in subs:
        threads.append(
            threading.Thread(
                target=EventConsumer(runtime, sub, settings).run_forever, args=(stop,), name=f"consume-{sub.consumer}"
            )
        )
    server = None
    if args.metrics_port is not None:
        collectors: list[Collector] = []
        if relay is not None:
            collectors.append(metrics.ServiceStateCollector(runtime))
        if subs:
            collectors.append(metrics.QueueDepthCollector(settings, [s.queue_name(settings) for s in subs]))
        try:
            server = metrics.MetricsServer(
                process, args.metrics_port, collectors=collectors, ready=relay.readiness if relay is not None else None
            ).start()
        except OSError as exc:  # a taken port costs the metrics, never the events
            print(f"{process}: cannot serve metrics on port {args.metrics_port}: {exc}", file=sys.stderr, flush=True)
        else:
            print(f"{process} metrics on http://{server.address}:{server.port}/metrics", flush=True)
            log.info("metrics served", extra={"address": server.address, "port": server.port})
    for thread in threads:
        thread.daemon = True
        thread.start()
    log.info("worker started", extra={"threads": [t.name for t in threads]})
    while not stop.is_set():
        stop.wait(0.5)
    for thread in threads:
        thread.join(timeout=5)
    if server is not None:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
