"""Prometheus metrics for every process, in one place (prometheus-client).

- Web processes (the gateway and each service, under gunicorn): `instrument(app, component)`
  times every request by route template and status and serves `GET /metrics`. gunicorn runs
  several worker processes, so the web processes use prometheus-client's multiprocess mode:
  `deploy/gunicorn.conf.py` gives each gunicorn master a directory of its own
  (`$DATA_DIR/run/metrics/<host>-<port>`, emptied at start, or `PROMETHEUS_MULTIPROC_DIR` when
  set) before it forks, and every scrape merges the files of all its workers. Without gunicorn
  (Flask's test client, a plain `flask run`) the process's own registry is served.
- Figures read from the service's database at scrape time (unsent outbox rows, the age of the
  oldest, upload jobs running) are collectors, not shared counters: they are true whichever
  process or replica is scraped.
- Worker processes (relay, consumers, the billing job) serve `/metrics`, `/health` and `/ready`
  on a port of their own (`MetricsServer`, `METRICS_PORT`).

Names start with `union_`; every series carries the component (`service`)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from common import clock

if TYPE_CHECKING:
    from wsgiref.types import StartResponse

    from flask import Flask, Request, Response

    from common.config import BusSettings
    from common.runtime import ServiceRuntime

Readiness = Callable[[], tuple[bool, dict[str, Any]]]

log = logging.getLogger("metrics")

# ---------------------------------------------------------------------------- the series

HTTP_LATENCY = Histogram(
    "union_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and status",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

RELAY_PUBLISHED = Counter("union_relay_published_total", "Outbox events confirmed by the broker", ["service"])
RELAY_FAILURES = Counter("union_relay_publish_failures_total", "Relay batches the broker did not take", ["service"])
RELAY_FAILING = Gauge(
    "union_relay_failing_seconds",
    "How long the relay has been failing to publish (0 when it is not)",
    ["service"],
    multiprocess_mode="max",
)

CONSUMER_HANDLED = Counter(
    "union_consumer_events_handled_total", "Events applied by a consumer (effect and inbox row committed)", ["consumer"]
)
CONSUMER_DUPLICATES = Counter(
    "union_consumer_duplicates_total", "Events skipped because the inbox already had them", ["consumer"]
)
CONSUMER_REDELIVERIES = Counter(
    "union_consumer_redeliveries_total", "Messages the broker delivered again (flagged redelivered)", ["consumer"]
)
CONSUMER_FAILURES = Counter("union_consumer_handler_failures_total", "Handler attempts that failed", ["consumer"])
CONSUMER_DEAD_LETTERED = Counter(
    "union_consumer_dead_lettered_total",
    "Messages this consumer sent to its dead-letter queue (on RabbitMQ the quorum "
    "queue's delivery limit also dead-letters: see the .dlq queue depth)",
    ["consumer", "reason"],
)
CONSUMER_LAG = Gauge(
    "union_consumer_lag_seconds",
    "Age (since the relay published it) of the oldest event in the last batch; 0 when idle",
    ["consumer"],
    multiprocess_mode="max",
)

JOB_RUNS = Counter("union_job_runs_total", "Runs of a periodic job, by outcome", ["job", "outcome"])
JOB_ITEMS = Counter("union_job_items_total", "Items a periodic job acted on", ["job"])


def _seconds_since(naive_utc: datetime | None) -> float:
    if naive_utc is None:
        return 0.0
    return max(0.0, (clock.real_utcnow_naive() - naive_utc).total_seconds())


# ---------------------------------------------------------------------------- from the database


def outbox_state(runtime: ServiceRuntime) -> dict[str, Any]:
    """Unsent outbox rows, the age of the oldest, and the relay attempts noted on it."""
    from sqlalchemy import func, select

    outbox = runtime.messages.outbox
    with runtime.engine.connect() as conn:
        unsent = conn.execute(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))).scalar()
        oldest = conn.execute(
            select(outbox.c.created_at, outbox.c.attempts, outbox.c.last_error)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.id)
            .limit(1)
        ).first()
    return {
        "unsent": int(unsent or 0),
        "oldest_age": _seconds_since(oldest.created_at) if oldest else 0.0,
        "attempts": int(oldest.attempts or 0) if oldest else 0,
        "last_error": oldest.last_error if oldest else None,
    }


def relay_unready_after() -> float:
    """RELAY_UNREADY_AFTER: seconds of failing to publish before `/ready` answers 503."""
    return float(os.environ.get("RELAY_UNREADY_AFTER", "60"))


def relay_stuck(state: dict[str, Any], bound: float | None = None) -> bool:
    """The relay has been failing to publish for longer than the bound, as the outbox tells it:
    the oldest unsent event is older than the bound and the relay noted failed attempts on it
    (it notes every failure on the oldest row; a success sends that row and clears the sign)."""
    bound = relay_unready_after() if bound is None else bound
    return bool(state["unsent"] > 0 and state["attempts"] > 0 and state["oldest_age"] > bound)


class ServiceStateCollector:
    """Outbox and upload-job figures of one service, read from its database when scraped."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        name = self.runtime.name
        up = GaugeMetricFamily(
            "union_database_up", "1 when the service's database answered the scrape", labels=["service"]
        )
        try:
            state = outbox_state(self.runtime)
        except Exception as exc:  # noqa: BLE001 - a scrape must not fail because the database is away
            log.warning("metrics: database unavailable", extra={"error": str(exc)[:200]})
            up.add_metric([name], 0)
            yield up
            return
        up.add_metric([name], 1)
        yield up
        unsent = GaugeMetricFamily(
            "union_outbox_unsent", "Events written to the outbox and not yet confirmed", labels=["service"]
        )
        unsent.add_metric([name], state["unsent"])
        yield unsent
        age = GaugeMetricFamily(
            "union_outbox_oldest_unsent_age_seconds",
            "Age of the oldest unsent outbox event (0 when none)",
            labels=["service"],
        )
        age.add_metric([name], state["oldest_age"])
        yield age
        attempts = GaugeMetricFamily(
            "union_outbox_oldest_unsent_attempts",
            "Failed relay attempts noted on the oldest unsent event",
            labels=["service"],
        )
        attempts.add_metric([name], state["attempts"])
        yield attempts
        jobs = self._upload_jobs_running()
        if jobs is not None:
            family = GaugeMetricFamily(
                "union_upload_jobs_running", "Upload jobs in the running state", labels=["service"]
            )
            family.add_metric([name], jobs)
            yield family

    def _upload_jobs_running(self) -> int | None:
        """Services that run uploads as jobs keep them in an `upload_jobs` table with a `state`."""
        table = self.runtime.metadata.tables.get("upload_jobs")
        if table is None or "state" not in table.c:
            return None
        from sqlalchemy import func, select

        try:
            with self.runtime.engine.connect() as conn:
                return int(
                    conn.execute(select(func.count()).select_from(table).where(table.c.state == "running")).scalar()
                    or 0
                )
        except Exception:  # noqa: BLE001
            return None


def render(*collectors: Collector) -> bytes:
    """The text exposition of this process (or of every gunicorn worker of it, in multiprocess
    mode) plus the given collectors."""
    registry = CollectorRegistry(auto_describe=False)
    multiproc = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=multiproc)  # type: ignore[no-untyped-call]
    else:
        registry.register(REGISTRY)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)


# ---------------------------------------------------------------------------- web processes


def route_label(request: Request, known_services: Collection[str] = ()) -> str:
    """The route template (`/members/<int:member_id>`), never the raw path: bounded cardinality.
    The gateway's one forwarding route is split by the service it names."""
    rule = request.url_rule
    if rule is None:
        return "<unmatched>"
    label: str = rule.rule
    service = (request.view_args or {}).get("service")
    if service and "<service>" in label and service in known_services:
        label = label.replace("<service>", service)
    return label


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def metrics_token_allows(request: Request) -> bool:
    """The gateway's own `/metrics`: with METRICS_TOKEN set, only `Authorization: Bearer <token>`;
    without it, only a loopback caller that came through no proxy (no X-Forwarded-For)."""
    token = os.environ.get("METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    return is_loopback(request.remote_addr)


def instrument(
    app: Flask,
    component: str,
    collectors: Iterable[Collector] = (),
    guard: Callable[[Request], bool] | None = None,
    known_services: Collection[str] = (),
) -> None:
    """Time every request of `app` and serve `GET /metrics` (refused with 404 when `guard`
    says no)."""
    from flask import Response, abort, g, request

    @app.before_request
    def _metrics_start() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _metrics_observe(response: Response) -> Response:
        started = g.get("metrics_started")
        if started is not None and request.path != "/metrics":
            HTTP_LATENCY.labels(
                component, request.method, route_label(request, known_services), str(response.status_code)
            ).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        if guard is not None and not guard(request):
            abort(404)
        return Response(render(*collectors), mimetype=CONTENT_TYPE_LATEST)


# ---------------------------------------------------------------------------- worker processes


def metrics_port(default: int | None = None) -> int | None:
    value = os.environ.get("METRICS_PORT")
    return int(value) if value not in (None, "") else default


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:  # scrapes every 15 s need no log line each
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class MetricsServer:
    """`/metrics`, `/health` and `/ready` of a worker process, on a thread of its own.

    `ready` returns (ok, details); `collectors` are scraped with the process's own series."""

    def __init__(
        self,
        process: str,
        port: int,
        address: str | None = None,
        ready: Readiness | None = None,
        collectors: Iterable[Collector] = (),
    ) -> None:
        self.process = process
        self.ready: Readiness = ready or (lambda: (True, {}))
        self.collectors = list(collectors)
        self.address = address or os.environ.get("METRICS_ADDR", "127.0.0.1")
        self._server = make_server(
            self.address, port, self._app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True)

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        import json

        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            body, status, ctype = render(*self.collectors), "200 OK", CONTENT_TYPE_LATEST
        elif path == "/health":
            body = json.dumps({"status": "ok", "process": self.process, "pid": os.getpid()}).encode()
            status, ctype = "200 OK", "application/json"
        elif path == "/ready":
            try:
                ok, details = self.ready()
            except Exception as exc:  # noqa: BLE001
                ok, details = False, {"error": type(exc).__name__}
            body = json.dumps(
                {"status": "ok" if ok else "unavailable", "process": self.process, "checks": details}
            ).encode()
            status, ctype = ("200 OK" if ok else "503 Service Unavailable"), "application/json"
        else:
            body, status, ctype = b"not found\n", "404 Not Found", "text/plain"
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return [body]


class QueueDepthCollector:
    """Messages waiting in a worker's queues and their dead-letter queues, asked of the broker at
    scrape time (a passive declare per queue on RabbitMQ; the message files on the embedded
    transport). Cached for a few seconds so that several scrapers cost one look."""

    def __init__(self, settings: BusSettings, queue_names: list[str], cache_seconds: float = 5.0) -> None:
        self.settings = settings
        self.queues = [name for queue in queue_names for name in (queue, queue + ".dlq")]
        self.cache_seconds = cache_seconds
        self._cached: tuple[float, dict[str, int] | None] = (0.0, None)
        self._lock = threading.Lock()

    def depths(self) -> dict[str, int] | None:
        with self._lock:
            at, value = self._cached
            if time.monotonic() - at < self.cache_seconds:
                return value
            try:
                value = self._ask()
            except Exception as exc:  # noqa: BLE001 - the broker is away: say so, fail nothing
                log.warning("metrics: queue depth unavailable", extra={"error": str(exc)[:200]})
                value = None
            self._cached = (time.monotonic(), value)
            return value

    def _ask(self) -> dict[str, int]:
        if self.settings.is_amqp:
            from common.bus import close_quietly, connect

            conn = connect(self.settings)
            try:
                conn.ensure_connection(max_retries=1, timeout=self.settings.connect_timeout)
                channel = conn.connection.channel()
                depths: dict[str, int] = {}
                for name in self.queues:
                    try:
                        depths[name] = channel.queue_declare(name, passive=True).message_count
                    except Exception:  # noqa: BLE001 - not declared (yet): the channel is closed by the broker
                        channel = conn.connection.channel()
                return depths
            finally:
                close_quietly(conn, self.settings.connect_timeout)
        from common.config import data_dir

        folder = data_dir() / "bus" / "messages"
        names = os.listdir(folder) if folder.is_dir() else []
        return {queue: sum(1 for n in names if n.endswith(f".{queue}.msg")) for queue in self.queues}

    def collect(self) -> Iterator[Metric]:
        depths = self.depths()
        up = GaugeMetricFamily("union_bus_up", "1 when the broker answered the queue-depth look", labels=[])
        up.add_metric([], 0 if depths is None else 1)
        yield up
        if depths:
            family = GaugeMetricFamily(
                "union_queue_depth", "Messages ready in a queue (consumer lag in messages)", labels=["queue"]
            )
            for name, count in sorted(depths.items()):
                family.add_metric([name], count)
            yield family
