"""The event bus on kombu: one durable topic exchange; each consumer its own durable queue
(quorum type on RabbitMQ) with a dead-letter exchange and a delivery limit.

- `declare_topology` declares the exchange, every consumer queue with its bindings, and the
  dead-letter queues. Run it once before any consumer starts (the file-system transport loses
  bindings under concurrent first declarations).
- `Publisher.publish` sends a batch and returns only the ids the broker confirmed. On RabbitMQ
  it pipelines confirms: publish the whole batch on a confirm-mode channel, then wait for the
  acks (kombu's `confirm_publish` waits for each message in turn, ~2,100/s here).
- `Subscription` names a consumer's queue and its handler per event type; the consumer itself
  (`common.consumer.EventConsumer`) takes messages in batches, claims them in the inbox and runs
  the handlers in one transaction, acks only after commit, and leaves poison messages to the
  dead-letter queue.

See docs/decisions/0002-event-bus.md for why."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import amqp
from kombu import Connection, Exchange, Queue, binding

from common import patches
from common.config import BusSettings, data_dir, private_folder

log = logging.getLogger("bus")

Handler = Callable[..., None]  # handler(uow, event: dict[str, Any])


@dataclass
class Subscription:
    """One consumer of a service: its queue and the handler for each event type it takes."""

    service: str
    consumer: str
    handlers: dict[str, Handler] = field(default_factory=dict)
    # A work queue of long jobs (members' uploads): one message at a time per consumer, the
    # handler commits its own steps and must be idempotent; see EventConsumer._handle_work.
    work: bool = False

    def queue_name(self, settings: BusSettings) -> str:
        return settings.queue_name(self.service, self.consumer)

    @property
    def routing_keys(self) -> list[str]:
        return sorted(self.handlers)


def connect(settings: BusSettings, confirm_publish: bool = False) -> Connection:
    """A connection whose every wait is bounded: connect, handshake and (optionally) confirms."""
    if settings.is_amqp:
        options = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
        if confirm_publish:
            options["confirm_publish"] = True  # each publish waits; pass confirm_timeout to bound it
        return Connection(
            settings.url, connect_timeout=settings.connect_timeout, heartbeat=0, transport_options=options
        )
    if settings.url.startswith("filesystem"):
        root = data_dir() / "bus"
        messages = root / "messages"
        control = root / "control"
        private_folder(messages)
        private_folder(control)
        return Connection(
            "filesystem://",
            transport=patches.AtomicFilesystemTransport,
            transport_options={
                "data_folder_in": str(messages),
                "data_folder_out": str(messages),
                "control_folder": str(control.resolve()),
                "polling_interval": 0.05,
            },
        )
    return Connection(settings.url)


def close_quietly(conn: Connection, timeout: float) -> None:
    """Close a connection without ever hanging on the broker.

    A graceful AMQP close waits for the broker's close-ok, and a broker that stopped reading
    (memory alarm, wedged node, black-holing proxy) never sends it: the relay hung there for
    good after its confirm timeout. So the close handshake gets `timeout` seconds, and then the
    socket is simply dropped (the broker requeues whatever was unacked)."""
    raw = getattr(conn, "_connection", None)  # kombu's established py-amqp connection, if any
    sock = getattr(getattr(raw, "transport", None), "sock", None)
    try:
        if sock is not None:
            sock.settimeout(timeout)
        conn.release()
    except Exception:  # noqa: BLE001 - the close handshake failed or timed out: drop the socket
        with contextlib.suppress(Exception):  # nothing more to give back
            conn.collect()


def exchanges(settings: BusSettings) -> tuple[Exchange, Exchange]:
    return (
        Exchange(settings.exchange, type="topic", durable=True),
        Exchange(settings.dead_letter_exchange, type="direct", durable=True),
    )


def consumer_queue(settings: BusSettings, sub: Subscription) -> Queue:
    exchange, dlx = exchanges(settings)
    name = sub.queue_name(settings)
    args = {}
    if settings.is_amqp:
        args = {
            "x-queue-type": "quorum",
            "x-delivery-limit": settings.delivery_limit,
            "x-dead-letter-exchange": dlx.name,
            "x-dead-letter-routing-key": name,
        }
    return Queue(
        name,
        bindings=[binding(exchange, routing_key=key) for key in sub.routing_keys],
        durable=True,
        queue_arguments=args,
    )


def dead_letter_queue(settings: BusSettings, queue_name: str) -> Queue:
    _, dlx = exchanges(settings)
    args = {"x-queue-type": "quorum"} if settings.is_amqp else {}
    return Queue(queue_name + ".dlq", exchange=dlx, routing_key=queue_name, durable=True, queue_arguments=args)


def declare_topology(settings: BusSettings, subscriptions: list[Subscription]) -> None:
    with connect(settings) as conn:
        channel = conn.channel()
        exchange, dlx = exchanges(settings)
        exchange(channel).declare()
        dlx(channel).declare()
        for sub in subscriptions:
            queue = consumer_queue(settings, sub)
            queue(channel).declare()
            dead_letter_queue(settings, queue.name)(channel).declare()
        channel.close()


def ping(settings: BusSettings) -> None:
    """Raise unless the broker answers (bounded by the connect timeout)."""
    if settings.is_amqp:
        conn = connect(settings)
        try:
            conn.ensure_connection(max_retries=1, timeout=settings.connect_timeout)
        finally:
            close_quietly(conn, settings.connect_timeout)
    elif settings.url.startswith("filesystem") and not (data_dir() / "bus" / "control").is_dir():
        raise RuntimeError("bus folder missing")


# A header on every message: when the relay published it (real time, epoch milliseconds; the
# business clock can be moved, so the envelope's occurred_at cannot measure consumer lag).
PUBLISHED_AT = "x-published-at"


def published_now() -> int:
    return int(time.time() * 1000)


def published_at(message: Any) -> float | None:
    """Epoch seconds the relay published a delivered message, if it says."""
    headers = getattr(message, "headers", None) or {}
    value = headers.get(PUBLISHED_AT)
    return value / 1000 if isinstance(value, (int, float)) else None


@dataclass(frozen=True)
class Outgoing:
    """An envelope ready to send: its id, type and JSON body exactly as the outbox stores it."""

    event_id: str
    type: str
    body: str

    @classmethod
    def of(cls, env: dict[str, Any]) -> Outgoing:
        return cls(env["id"], env["type"], json.dumps(env, ensure_ascii=False))


class Publisher:
    """Publishes outbox envelopes; returns the ids that are safely with the broker.

    On RabbitMQ the whole batch is published on a confirm-mode channel and then the acks are
    awaited together (the broker acks many at once with `multiple`): one round trip per batch
    instead of one per message. Delivery tags are consecutive per channel, so the bookkeeping
    is a high-water mark plus the odd single ack/nack."""

    def __init__(self, settings: BusSettings):
        self.settings = settings
        self._conn: Connection | None = None
        self._channel: Any = None  # py-amqp's channel on RabbitMQ, else kombu's
        self._next_tag = 0
        self._acked_upto = 0  # every tag <= this is settled by a `multiple` ack ...
        self._nacked_upto = 0  # ... or nack
        self._acked: set[int] = set()  # single acks above the marks
        self._nacked: set[int] = set()
        self._returned: set[str] = set()

    def close(self) -> None:
        conn, self._conn, self._channel = self._conn, None, None
        if conn is not None:
            close_quietly(conn, self.settings.connect_timeout)

    def _open(self) -> None:
        if self._conn is not None:
            return
        conn = connect(self.settings)
        conn.ensure_connection(max_retries=1, timeout=self.settings.connect_timeout)
        exchange, _ = exchanges(self.settings)
        if self.settings.is_amqp:
            channel = conn.connection.channel()  # the raw py-amqp channel: we manage confirms
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.events["basic_return"].add(self._on_return)
            exchange(channel).declare()
            self._next_tag = self._acked_upto = self._nacked_upto = 0
            self._acked.clear()
            self._nacked.clear()
        else:
            channel = conn.channel()
            exchange(channel).declare()  # the virtual transports learn the type per process
        self._conn, self._channel = conn, channel

    def _on_ack(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._acked_upto = max(self._acked_upto, tag)
        else:
            self._acked.add(tag)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._nacked_upto = max(self._nacked_upto, tag)
        else:
            self._nacked.add(tag)

    def _on_return(self, exc: Any, exchange: str, routing_key: str, message: Any) -> None:
        self._returned.add(message.properties.get("message_id", ""))

    def _nacked_tag(self, tag: int) -> bool:
        """Conservative: anything a nack may cover is sent again (the inbox absorbs a double)."""
        return tag in self._nacked or tag <= self._nacked_upto

    def _settled(self, tag: int) -> bool:
        return tag <= self._acked_upto or tag <= self._nacked_upto or tag in self._acked or tag in self._nacked

    def publish(self, envelopes: list[dict[str, Any]] | list[Outgoing]) -> tuple[list[str], list[str]]:
        """Send envelopes (dicts or `Outgoing`); return (confirmed ids, unroutable ids).
        Raises on broker trouble, within the connect and confirm timeouts."""
        if not envelopes:
            return [], []
        items = [e if isinstance(e, Outgoing) else Outgoing.of(e) for e in envelopes]
        try:
            self._open()
            if self.settings.is_amqp:
                return self._publish_confirmed(items)
            return self._publish_plain(items)
        except Exception:
            self.close()
            raise

    def _publish_plain(self, items: list[Outgoing]) -> tuple[list[str], list[str]]:
        from kombu import Producer

        producer = Producer(self._channel, exchange=exchanges(self.settings)[0])
        published_at = published_now()
        for item in items:
            producer.publish(
                item.body,
                content_type="application/json",
                content_encoding="utf-8",
                routing_key=item.type,
                message_id=item.event_id,
                delivery_mode=2,
                headers={"event_type": item.type, PUBLISHED_AT: published_at},
            )
        return [item.event_id for item in items], []

    def _publish_confirmed(self, items: list[Outgoing]) -> tuple[list[str], list[str]]:
        conn = self._conn
        if conn is None:
            raise RuntimeError("publishing on a closed publisher")
        self._returned.clear()
        first = self._next_tag + 1
        publish = self._channel.basic_publish
        exchange = self.settings.exchange
        published_at = published_now()
        for item in items:
            msg = amqp.Message(
                item.body.encode(),
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=item.event_id,
                type=item.type,
                application_headers={"event_type": item.type, PUBLISHED_AT: published_at},
            )
            publish(msg, exchange=exchange, routing_key=item.type, mandatory=True)
        self._next_tag += len(items)
        last = self._next_tag
        deadline = time.monotonic() + self.settings.confirm_timeout
        waiting_for = first  # the oldest tag not yet known settled
        while waiting_for <= last:
            if self._settled(waiting_for):
                waiting_for += 1
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("broker did not confirm in time")
            try:
                conn.connection.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
        tags = range(first, last + 1)
        confirmed = [item.event_id for tag, item in zip(tags, items, strict=True) if not self._nacked_tag(tag)]
        unroutable = [i for i in confirmed if i in self._returned]
        self._acked = {t for t in self._acked if t > self._acked_upto}
        return confirmed, unroutable


# --------------------------------------------------------------------------- consuming


class PermanentFailure(Exception):
    """A message that can never succeed (malformed data): dead-letter it at once."""


@dataclass
class Delivery:
    event: dict[str, Any]
    message: Any  # kombu's Message, or py-amqp's on RabbitMQ


def decode(message: Any) -> dict[str, Any]:
    payload = message.payload if hasattr(message, "payload") else json.loads(message.body)
    if isinstance(payload, (bytes, str)):
        payload = json.loads(payload)
    if not isinstance(payload, dict) or "id" not in payload or "type" not in payload:
        raise PermanentFailure("message is not an event envelope")
    return payload
