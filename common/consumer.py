"""Consuming events: inbox claim -> handler -> commit (effect and inbox row together) -> ack.

Messages are taken in batches and handled in one transaction (fast path); if anything in the
batch fails, each message is retried alone so one bad event cannot hold back the others. A
message that keeps failing goes to the dead-letter queue: on RabbitMQ the quorum queue's
delivery limit does it; on the embedded file-system transport, which cannot count deliveries,
the consumer counts attempts in its own database and moves the message itself.

On RabbitMQ the consumer reads the raw py-amqp channel (as the relay publishes on it): no kombu
message objects, the JSON body decoded directly, socket reads in chunks. The file-system
transport goes through kombu."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from kombu import Connection, Consumer, Producer, Queue
from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from common import clock, metrics, patches
from common.bus import (
    Delivery,
    PermanentFailure,
    Subscription,
    close_quietly,
    connect,
    consumer_queue,
    decode,
    exchanges,
    published_at,
)
from common.config import BusSettings
from common.db import UoW
from common.runtime import ServiceRuntime

log = logging.getLogger("consumer")

# INSERT ... ON CONFLICT DO NOTHING RETURNING, per database (SQLite has it since 3.35)
_INSERT_NEW = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

# how long to wait for a batch's first message before checking for a stop: a message that comes
# ends the wait at once, so this bounds only how soon an idle consumer sees a stop (and sets its
# lag to 0); 1 s, not 0.25 s, wakes an idle worker's consumers a quarter as often (decision 0049)
FIRST_WAIT = 1.0
FILL_WAIT = 0.005  # how long to wait for one more message before handling what is there


class EventConsumer:
    def __init__(
        self,
        runtime: ServiceRuntime,
        subscription: Subscription,
        settings: BusSettings | None = None,
        batch_size: int = 250,
    ):
        self.runtime = runtime
        self.sub = subscription
        self.settings = settings or BusSettings()
        self.batch_size = 1 if subscription.work else batch_size
        self.prefetch = 1 if subscription.work else batch_size * 2  # a work queue: never hold a job back
        self.queue_name = subscription.queue_name(self.settings)
        self.consumer_name = f"{subscription.service}.{subscription.consumer}"
        self._buffer: list[Any] = []  # kombu's or py-amqp's messages
        name = self.consumer_name
        self._handled = metrics.CONSUMER_HANDLED.labels(name)
        self._duplicates = metrics.CONSUMER_DUPLICATES.labels(name)
        self._redelivered = metrics.CONSUMER_REDELIVERIES.labels(name)
        self._handler_failures = metrics.CONSUMER_FAILURES.labels(name)
        self._lag = metrics.CONSUMER_LAG.labels(name)

    # ------------------------------------------------------------------ the loop
    def run_forever(self, stop: threading.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                self._consume(stop)
                backoff = 0.5
            except Exception as exc:  # noqa: BLE001 - broker gone: wait and reconnect
                log.warning(
                    "consumer lost the bus; reconnecting",
                    extra={"queue": self.queue_name, "error": str(exc), "retry_in": backoff},
                )
                self._buffer.clear()  # unacked messages return to the queue by themselves
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)

    def _consume(self, stop: threading.Event) -> None:
        conn = connect(self.settings)
        try:
            conn.ensure_connection(max_retries=1, timeout=self.settings.connect_timeout)
            if self.settings.is_amqp:
                self._consume_amqp(conn, stop)
            else:
                self._consume_kombu(conn, stop)
        finally:
            # closing the connection cancels the consumer and returns anything unacked
            close_quietly(conn, self.settings.connect_timeout)

    def _consume_amqp(self, conn: Connection, stop: threading.Event) -> None:
        raw = conn.connection  # the established py-amqp connection
        channel = raw.channel()
        consumer_queue(self.settings, self.sub)(channel).declare()  # idempotent
        # two batches in flight, so the next batch streams in while one is being written
        channel.basic_qos(0, self.prefetch, False)
        channel.basic_consume(self.queue_name, callback=self._collect_raw)
        patches.read_in_chunks(raw.transport)
        # Reads wait FILL_WAIT by default, so reading a frame changes no socket setting (py-amqp
        # sets and restores the timeout around every frame otherwise); writes set their own.
        raw.transport.sock.settimeout(FILL_WAIT)
        while not stop.is_set():
            self._fill(raw)
            if self._buffer:
                batch, self._buffer = self._buffer, []
                self.process(batch, conn)

    def _consume_kombu(self, conn: Connection, stop: threading.Event) -> None:
        consumer = Consumer(
            conn.channel(),
            queues=[Queue(self.queue_name, no_declare=True)],
            callbacks=[self._collect],
            accept=["json"],
            prefetch_count=self.prefetch,
        )
        consumer.consume()
        while not stop.is_set():
            self._fill(conn)
            if self._buffer:
                batch, self._buffer = self._buffer, []
                self.process(batch, conn)

    def _collect(self, body: Any, message: Any) -> None:
        self._buffer.append(message)

    def _collect_raw(self, message: Any) -> None:
        self._buffer.append(message)

    def _fill(self, conn: Connection) -> None:
        """Wait for a first message, then take what keeps coming, up to a batch."""
        try:
            conn.drain_events(timeout=FIRST_WAIT)
        except TimeoutError:
            if not self._buffer:
                self._lag.set(0)  # idle: nothing waiting for this consumer
            return
        while len(self._buffer) < self.batch_size:
            try:
                conn.drain_events(timeout=FILL_WAIT)
            except TimeoutError:
                return

    # ------------------------------------------------------------------ handling
    def _observe(self, messages: list[Any]) -> None:
        """Redeliveries and lag of a batch (a few attribute reads per message)."""
        redelivered, oldest = 0, None
        for message in messages:
            info = getattr(message, "delivery_info", None) or {}
            if info.get("redelivered"):
                redelivered += 1
            sent = published_at(message)
            if sent is not None and (oldest is None or sent < oldest):
                oldest = sent
        if redelivered:
            self._redelivered.inc(redelivered)
        if oldest is not None:
            self._lag.set(max(0.0, time.time() - oldest))

    def process(self, messages: list[Any], conn: Connection | None = None) -> None:
        try:
            self._observe(messages)
        except Exception:
            log.debug("could not observe a batch", exc_info=True)
        deliveries = []
        for message in messages:
            try:
                deliveries.append(Delivery(decode(message), message))
            except Exception as exc:  # noqa: BLE001
                self._dead_letter(Delivery({"id": "", "type": ""}, message), exc, conn, permanent=True)
        if not deliveries:
            return
        try:
            self._handle(deliveries)
        except Exception:  # noqa: BLE001 - isolate the failing message
            for delivery in deliveries:
                try:
                    self._handle([delivery])
                except Exception as exc:  # noqa: BLE001
                    self._failed(delivery, exc, conn)
                else:
                    self._ack(delivery.message)
            return
        self._ack_all(deliveries)

    def _ack_all(self, deliveries: list[Delivery]) -> None:
        """On RabbitMQ one `basic.ack multiple` settles the whole batch: every message delivered
        on this channel so far is in it (the buffer takes all), or was settled already."""
        if self.settings.is_amqp:
            self._ack(max((d.message for d in deliveries), key=lambda m: m.delivery_tag), multiple=True)
            return
        for delivery in deliveries:
            delivery.message.ack()

    def _ack(self, message: Any, multiple: bool = False) -> None:
        if self.settings.is_amqp:
            self._write(message, message.channel.basic_ack, message.delivery_tag, multiple)
        else:
            message.ack()

    def _reject(self, message: Any, requeue: bool) -> None:
        """RabbitMQ only; the file-system transport requeues or dead-letters by itself."""
        self._write(message, message.channel.basic_reject, message.delivery_tag, requeue)

    def _write(self, message: Any, method: Callable[..., Any], *args: Any) -> None:
        """A frame to the broker, bounded by the connect timeout (the socket's own timeout is
        the short read wait); a write that times out loses the connection, and whatever was
        not acked comes back — the inbox makes that harmless."""
        with message.channel.connection.transport.having_timeout(self.settings.connect_timeout):
            method(*args)

    def _handle(self, deliveries: list[Delivery]) -> None:
        if self.sub.work:
            return self._handle_work(deliveries)
        applied = 0
        with self.runtime.uow() as uow:
            new = self._claim(uow, [d.event for d in deliveries])
            # the events about to be applied, for handlers that look up what a whole batch needs
            # in one query (billing: which submissions are priced already)
            uow.batch = [d.event for d in deliveries if d.event["id"] in new]
            for delivery in deliveries:
                event = delivery.event
                if event["id"] not in new:
                    continue  # already applied: a redelivery, a duplicate, or a replica's
                new.discard(event["id"])  # the same event again later in this batch
                applied += 1
                handler = self.sub.handlers.get(event["type"])
                if handler is not None:
                    handler(uow, event)
            uow.commit()
        self._handled.inc(applied)
        if applied < len(deliveries):
            self._duplicates.inc(len(deliveries) - applied)

    def _handle_work(self, deliveries: list[Delivery]) -> None:
        """A work message (a long job that commits its own steps): the handler runs first, outside
        any inbox transaction — on SQLite that transaction would hold the write lock the job's
        own steps need, for the whole job — and the inbox row is claimed once it has returned.
        A redelivery after that is skipped without calling it; one in between (a worker killed
        after the job's last commit) calls it again, so the handler must itself do nothing for
        work already done (an upload job checks its state). Acked after the claim commits."""
        inbox = self.runtime.messages.inbox
        for delivery in deliveries:
            event = delivery.event
            with self.runtime.uow() as uow:
                done = uow.session.execute(
                    select(inbox.c.event_id).where(
                        inbox.c.consumer == self.consumer_name, inbox.c.event_id == event["id"]
                    )
                ).first()
            if done is not None:
                self._duplicates.inc()
                continue
            handler = self.sub.handlers.get(event["type"])
            if handler is not None:
                with self.runtime.uow() as uow:
                    handler(uow, event)
            with self.runtime.uow() as uow:
                self._claim(uow, [event])
                uow.commit()
            self._handled.inc()

    def _claim(self, uow: UoW, events: list[dict[str, Any]]) -> set[str]:
        """Insert the inbox rows of the events not applied yet, in one statement, and return
        their ids: `INSERT ... ON CONFLICT DO NOTHING RETURNING`. A replica claiming the same
        event at the same moment waits on its key until the other commits (then leaves it out)
        or rolls back (then takes it). Rows go in key order, so two replicas never wait on each
        other in a cycle."""
        inbox = self.runtime.messages.inbox
        now = clock.real_utcnow_naive()
        types = {event["id"]: event["type"] for event in events}
        rows = [
            {"consumer": self.consumer_name, "event_id": event_id, "type": types[event_id], "processed_at": now}
            for event_id in sorted(types)
        ]
        insert_new: Any = _INSERT_NEW[uow.session.get_bind().dialect.name]  # both have ON CONFLICT
        statement = (
            insert_new(inbox)
            .on_conflict_do_nothing(index_elements=[inbox.c.consumer, inbox.c.event_id])
            .returning(inbox.c.event_id)
        )
        return set(uow.session.execute(statement, rows).scalars())

    def _failed(self, delivery: Delivery, exc: Exception, conn: Connection | None) -> None:
        permanent = isinstance(exc, (PermanentFailure, KeyError, TypeError, ValueError))
        self._handler_failures.inc()
        log.error(
            "event handler failed",
            extra={
                "queue": self.queue_name,
                "event_id": delivery.event.get("id"),
                "event_type": delivery.event.get("type"),
                "error": f"{type(exc).__name__}: {exc}",
                "permanent": permanent,
            },
        )
        if self.settings.is_amqp:
            if permanent:
                metrics.CONSUMER_DEAD_LETTERED.labels(self.consumer_name, "rejected").inc()
                self._reject(delivery.message, requeue=False)  # straight to the dead-letter exchange
            else:
                time.sleep(0.2)
                self._reject(delivery.message, requeue=True)  # the quorum queue counts toward its limit
            return
        attempts = self._count_attempt(delivery, exc)
        if permanent or attempts >= self.settings.delivery_limit:
            self._dead_letter(delivery, exc, conn, permanent, attempts)
        else:
            time.sleep(0.2)
            delivery.message.requeue()

    def _count_attempt(self, delivery: Delivery, exc: Exception) -> int:
        table = self.runtime.messages.attempts
        key = {"consumer": self.consumer_name, "event_id": delivery.event["id"]}
        with self.runtime.engine.begin() as db:
            row = db.execute(
                select(table.c.attempts).where(table.c.consumer == key["consumer"], table.c.event_id == key["event_id"])
            ).first()
            if row is None:
                db.execute(insert(table).values(**key, attempts=1, last_error=str(exc)[:1000]))
                return 1
            db.execute(
                update(table)
                .where(table.c.consumer == key["consumer"], table.c.event_id == key["event_id"])
                .values(attempts=row.attempts + 1, last_error=str(exc)[:1000])
            )
            return int(row.attempts) + 1

    def _forget_attempts(self, event_id: str) -> None:
        """A dead-lettered event starts counting afresh, so a replay gets the full limit again."""
        table = self.runtime.messages.attempts
        with self.runtime.engine.begin() as db:
            db.execute(delete(table).where(table.c.consumer == self.consumer_name, table.c.event_id == event_id))

    def _dead_letter(
        self, delivery: Delivery, exc: Exception, conn: Connection | None, permanent: bool, attempts: int = 1
    ) -> None:
        reason = "rejected" if permanent else "delivery_limit"
        metrics.CONSUMER_DEAD_LETTERED.labels(self.consumer_name, reason).inc()
        log.error(
            "event dead-lettered",
            extra={"queue": self.queue_name, "event_id": delivery.event.get("id"), "reason": reason, "error": str(exc)},
        )
        if self.settings.is_amqp:
            self._reject(delivery.message, requeue=False)
            return
        if conn is None:
            raise RuntimeError("dead-lettering on the file-system transport needs its connection")
        _, dlx = exchanges(self.settings)
        producer = Producer(conn.channel(), exchange=dlx, serializer="json")
        dlx(producer.channel).declare()
        producer.publish(
            delivery.message.payload if delivery.event.get("id") else {"raw": str(delivery.message.body)},
            routing_key=self.queue_name,
            headers={
                "x-death-reason": reason,
                "x-error": str(exc)[:1000],
                "x-queue": self.queue_name,
                "x-attempts": attempts,
            },
        )
        delivery.message.ack()
        if delivery.event.get("id"):
            self._forget_attempts(delivery.event["id"])
