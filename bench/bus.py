"""Benchmark of the event bus: sustained events/s through outbox -> relay -> RabbitMQ ->
consumer -> inbox (PostgreSQL), beside bare kombu in the same run on the same broker:

- bare publish without confirms, and with kombu's per-message `confirm_publish=True`;
- a bare consumer (ack each message, no database);
- both at once, in two processes through one quorum queue;
- the same on the raw py-amqp channel with lean clients (no kombu messages, one ack per 250,
  chunked reads as our consumer does), no confirms, no database: the broker's own end-to-end
  ceiling on this machine;
- our relay alone (outbox -> broker, every event confirmed before it is marked sent);
- the whole pipeline with the relay and consumer(s) as real processes (`python -m common.worker`),
  timed from the commit of the pre-written outbox rows to the last inbox row.

    python -m bench.bus [--events 20000] [--consumers 1 2] [--amqp URL]

RabbitMQ: --amqp, else BENCH_AMQP_URL / TEST_AMQP_URL, else amqp://guest:guest@127.0.0.1:5672//.
PostgreSQL: PG_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres); a scratch
database is created and dropped. Everything it declares has a unique name and is deleted after.
See docs/decisions/0002-event-bus.md for the figures and the reasoning."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import amqp
import psycopg
from kombu import Connection, Consumer, Exchange, Producer, Queue
from sqlalchemy import MetaData, func, insert, select

from common.bus import Subscription, declare_topology
from common.clock import real_utcnow_naive
from common.config import ROOT, BusSettings
from common.db import envelope, make_engine
from common.messaging_tables import add_messaging_tables
from common.patches import read_in_chunks
from common.relay import Relay
from common.runtime import ServiceRuntime

EVENT = "bench.thing.happened"

metadata = MetaData()
messaging = add_messaging_tables(metadata)


def _nothing(uow, event: dict) -> None:
    """The benchmark measures the bus, so the handler has no effect of its own."""


runtime = ServiceRuntime(
    name="bench",
    metadata=metadata,
    messaging=messaging,
    migrations_dir=Path(__file__).parent,
    subscriptions=[Subscription("bench", "sink", {EVENT: _nothing})],
)


def _events(n: int) -> list[dict]:
    return [
        envelope(
            EVENT,
            {"seq": i, "union_id": 1000 + i % 50, "name": "上海示范科技有限公司工会", "version": 1},
            producer="bench",
        )
        for i in range(n)
    ]


# --------------------------------------------------------------------------- bare kombu


def bare_publish(url: str, exchange: Exchange, bodies: list[dict], confirm: bool) -> float:
    options = {"confirm_publish": True} if confirm else {}
    with Connection(url, transport_options=options) as conn:
        producer = Producer(conn.channel(), exchange=exchange, serializer="json")
        started = time.perf_counter()
        for body in bodies:
            producer.publish(body, routing_key=EVENT, delivery_mode=2, message_id=body["id"])
        if not confirm:
            # wait until the broker has everything, as a fair end point (one round trip)
            conn.default_channel.queue_declare(queue="", exclusive=True, auto_delete=True)
        return len(bodies) / (time.perf_counter() - started)


def bare_consume(url: str, queue: Queue, expected: int, prefetch: int = 500) -> float:
    got = 0
    with Connection(url) as conn:

        def on_message(body, message):
            nonlocal got
            got += 1
            message.ack()

        with Consumer(conn.channel(), queues=[queue], callbacks=[on_message], accept=["json"], prefetch_count=prefetch):
            started = time.perf_counter()
            while got < expected:
                conn.drain_events(timeout=10)
            return expected / (time.perf_counter() - started)


def _consume_all(url: str, queue_name: str, expected: int, done) -> None:
    bare_consume(url, Queue(queue_name, no_declare=True), expected)
    done.put(time.time())


def raw_publish(url: str, exchange: Exchange, bodies: list[dict]) -> None:
    """Pre-encoded bodies on the raw channel, no confirms; one round trip at the end."""
    encoded = [(json.dumps(b, ensure_ascii=False).encode(), b["id"]) for b in bodies]
    with Connection(url) as conn:
        channel = conn.connection.channel()
        for body, message_id in encoded:
            channel.basic_publish(
                amqp.Message(body, content_type="application/json", delivery_mode=2, message_id=message_id),
                exchange=exchange.name,
                routing_key=EVENT,
            )
        channel.queue_declare(queue="", exclusive=True, auto_delete=True)  # the broker has all of it


def _raw_consume_all(url: str, queue_name: str, expected: int, done, batch: int = 250) -> None:
    """As our consumer reads (prefetch two batches, one `ack multiple` per batch), no database."""
    got, last_tag = 0, 0

    def on_message(message):
        nonlocal got, last_tag
        json.loads(message.body)
        got += 1
        last_tag = message.delivery_tag

    with Connection(url) as conn:
        raw = conn.connection
        channel = raw.channel()
        channel.basic_qos(0, batch * 2, False)
        channel.basic_consume(queue_name, callback=on_message)
        read_in_chunks(raw.transport)
        acked = 0
        while got < expected:
            raw.drain_events(timeout=10)
            if got - acked >= batch or got == expected:
                channel.basic_ack(last_tag, multiple=True)
                acked = got
    done.put(time.time())


def _together(publish, consume, url: str, exchange: Exchange, queue: Queue, bodies: list[dict]) -> float:
    """Publishing and a consumer process at the same time through one quorum queue, no
    confirms, no database; timed from the start of publishing to the consumer's last message."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    done = ctx.Queue()
    consumer = ctx.Process(target=consume, args=(url, queue.name, len(bodies), done))
    consumer.start()
    time.sleep(1.0)  # attached and waiting
    started = time.time()
    publish(url, exchange, bodies)
    finished = done.get(timeout=600)
    consumer.join()
    return len(bodies) / (finished - started)


def bare_together(url: str, exchange: Exchange, queue: Queue, bodies: list[dict]) -> float:
    """Bare kombu publishing (no confirms) and a bare kombu consumer (ack each) at once."""
    return _together(lambda u, e, b: bare_publish(u, e, b, confirm=False), _consume_all, url, exchange, queue, bodies)


def raw_together(url: str, exchange: Exchange, queue: Queue, bodies: list[dict]) -> float:
    """The broker's own end-to-end ceiling here: lean clients on the raw channel, at once."""
    return _together(raw_publish, _raw_consume_all, url, exchange, queue, bodies)


# --------------------------------------------------------------------------- our pipeline


def _fill_outbox(engine, events: list[dict]) -> None:
    now = real_utcnow_naive()
    rows = [
        {"event_id": e["id"], "type": e["type"], "payload": json.dumps(e, ensure_ascii=False), "created_at": now}
        for e in events
    ]
    with engine.begin() as conn:
        conn.execute(insert(messaging.outbox), rows)


def _count(engine, query) -> int:
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def relay_alone(engine, settings: BusSettings, events: list[dict]) -> float:
    _fill_outbox(engine, events)
    relay = Relay(runtime, settings)
    started = time.perf_counter()
    sent = 0
    while sent < len(events):
        sent += relay.run_once()
    rate = len(events) / (time.perf_counter() - started)
    relay.publisher.close()
    return rate


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), so that figures taken on a
    busy shared machine can still be read as CPU cost per event."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def pipeline(engine, env: dict, events: list[dict], consumers: int) -> tuple[float, float, float, float]:
    """Relay and consumer(s) as processes; returns (end-to-end events/s, relay events/s,
    relay CPU µs/event, consumers' CPU µs/event)."""
    procs = []
    logs = Path(tempfile.mkdtemp(prefix="bench-bus-"))
    try:
        for i in range(consumers):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "common.worker", "bench.bus:runtime", "--consume", "sink"],
                    cwd=ROOT,
                    env=env,
                    stdout=open(logs / f"consumer{i}.log", "wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "common.worker", "bench.bus:runtime", "--relay"],
                cwd=ROOT,
                env=env,
                stdout=open(logs / "relay.log", "wb"),
                stderr=subprocess.STDOUT,
            )
        )
        time.sleep(4)  # let them start and go idle
        cpu_before = [_cpu_seconds(p.pid) for p in procs]
        inbox, outbox = messaging.inbox, messaging.outbox
        base_inbox = _count(engine, select(func.count()).select_from(inbox))
        # All rows in one transaction, timed from its commit: writing the outbox is the
        # services' work, not the bus's (the baselines start with their messages in hand too).
        # The relay's idle poll (up to 0.1 s) until it sees them is counted.
        _fill_outbox(engine, events)
        started = time.perf_counter()
        relay_done = None
        unsent = select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
        while True:
            done = _count(engine, select(func.count()).select_from(inbox)) - base_inbox
            if relay_done is None and _count(engine, unsent) == 0:
                relay_done = time.perf_counter() - started
            if done >= len(events):
                break
            if time.perf_counter() - started > 600:
                raise TimeoutError(f"only {done} of {len(events)} events arrived; logs in {logs}")
            time.sleep(0.05)
        total = time.perf_counter() - started
        cpu = [_cpu_seconds(p.pid) - before for p, before in zip(procs, cpu_before, strict=False)]
        per_event = 1e6 / len(events)
        return (
            len(events) / total,
            len(events) / (relay_done or total),
            cpu[-1] * per_event,
            sum(cpu[:-1]) * per_event,
        )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bus")
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument(
        "--confirm-events", type=int, default=4000, help="messages for the per-message-confirm baseline (it is slow)"
    )
    parser.add_argument(
        "--consumers",
        type=int,
        nargs="+",
        default=[1, 2],
        help="consumer processes for the end-to-end phase; one phase per number given",
    )
    parser.add_argument(
        "--amqp",
        default=os.environ.get("BENCH_AMQP_URL")
        or os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    )
    args = parser.parse_args(argv)

    run = uuid.uuid4().hex[:8]
    admin = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    dbname = f"bench_bus_{run}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    db_url = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + dbname
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": db_url,
        "BUS_URL": args.amqp,
        "BUS_EXCHANGE": f"bench.{run}",
        "BUS_QUEUE_PREFIX": f"bench.{run}.",
        "PYTHONPATH": str(ROOT),
        "DATA_DIR": tempfile.mkdtemp(),
    }
    settings = BusSettings(url=args.amqp, exchange=env["BUS_EXCHANGE"], queue_prefix=env["BUS_QUEUE_PREFIX"])
    os.environ["BENCH_DATABASE_URL"] = db_url
    engine = make_engine(db_url)
    runtime._engine = engine
    metadata.create_all(engine)
    declare_topology(settings, runtime.subscriptions)
    bare_exchange = Exchange(f"bench.{run}.bare", type="topic", durable=True)
    bare_queue = Queue(
        f"bench.{run}.bare",
        exchange=bare_exchange,
        routing_key=EVENT,
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )
    results = []
    try:
        with Connection(args.amqp) as conn:
            bare_queue(conn.channel()).declare()
        n = args.events
        print(
            f"bus benchmark: {n} events of {len(json.dumps(_events(1)[0], ensure_ascii=False).encode())} bytes, "
            f"quorum queues, broker {args.amqp.rsplit('@', 1)[-1]}",
            flush=True,
        )

        rate = bare_publish(args.amqp, bare_exchange, _events(n), confirm=False)
        results.append(("bare kombu publish, no confirms", rate))
        print(f"  {results[-1][0]:<52} {rate:>9,.0f} msg/s", flush=True)
        rate = bare_consume(args.amqp, bare_queue, n)
        results.append(("bare kombu consumer (ack each, no database)", rate))
        print(f"  {results[-1][0]:<52} {rate:>9,.0f} msg/s", flush=True)
        rate = bare_publish(args.amqp, bare_exchange, _events(args.confirm_events), confirm=True)
        results.append(("bare kombu publish, confirm_publish=True", rate))
        print(f"  {results[-1][0]:<52} {rate:>9,.0f} msg/s", flush=True)
        for label, together in (
            ("bare kombu publish + bare consumer at once", bare_together),
            ("raw publish + lean consumer at once (broker ceiling)", raw_together),
        ):
            with Connection(args.amqp) as conn:
                conn.channel().queue_purge(bare_queue.name)
            rate = together(args.amqp, bare_exchange, bare_queue, _events(n))
            results.append((label, rate))
            print(f"  {label:<52} {rate:>9,.0f} msg/s", flush=True)

        rate = relay_alone(engine, settings, _events(n))
        results.append(("relay alone: outbox -> broker, confirmed, marked", rate))
        print(f"  {results[-1][0]:<52} {rate:>9,.0f} ev/s", flush=True)
        for consumers in args.consumers:
            with Connection(args.amqp) as conn:
                conn.channel().queue_purge(f"bench.{run}.bench.sink")  # the timed run starts empty
            end_to_end, relay_rate, relay_cpu, consumer_cpu = pipeline(engine, env, _events(n), consumers)
            label = f"END TO END outbox -> inbox ({consumers} consumer process{'es' if consumers > 1 else ''})"
            results.append((label, end_to_end))
            print(f"  {'  relay inside the pipeline':<52} {relay_rate:>9,.0f} ev/s", flush=True)
            print(f"  {label:<52} {end_to_end:>9,.0f} ev/s   (goal >= 5,000)", flush=True)
            print(
                f"    CPU per event: relay {relay_cpu:,.0f} µs, consumers {consumer_cpu:,.0f} µs; load average "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
                flush=True,
            )
    finally:
        engine.dispose()
        try:
            with Connection(args.amqp, connect_timeout=3) as conn:
                channel = conn.channel()
                for queue in (bare_queue.name, f"bench.{run}.bench.sink", f"bench.{run}.bench.sink.dlq"):
                    channel.queue_delete(queue)
                for exchange in (bare_exchange.name, settings.exchange, settings.dead_letter_exchange):
                    channel.exchange_delete(exchange)
        except Exception as exc:  # noqa: BLE001
            print(f"cleanup of the broker failed: {exc}", file=sys.stderr)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
