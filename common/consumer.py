"""Consuming events: inbox check -> handler -> commit (effect and inbox row together) -> ack.

Messages are taken in batches and handled in one transaction (fast path); if anything in the
batch fails, each message is retried alone so one bad event cannot hold back the others. A
message that keeps failing goes to the dead-letter queue: on RabbitMQ the quorum queue's
delivery limit does it; on the embedded file-system transport, which cannot count deliveries,
the consumer counts attempts in its own database and moves the message itself."""
from __future__ import annotations

import logging
import socket
import threading
import time
from datetime import datetime, timezone

from kombu import Consumer, Producer, Queue
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from common.bus import (Delivery, PermanentFailure, Subscription, close_quietly, connect, consumer_queue, decode,
                        exchanges)
from common.config import BusSettings
from common.runtime import ServiceRuntime

log = logging.getLogger("consumer")


class EventConsumer:
    def __init__(self, runtime: ServiceRuntime, subscription: Subscription,
                 settings: BusSettings | None = None, batch_size: int = 250):
        self.runtime = runtime
        self.sub = subscription
        self.settings = settings or BusSettings()
        self.batch_size = batch_size
        self.queue_name = subscription.queue_name(self.settings)
        self.consumer_name = f"{subscription.service}.{subscription.consumer}"
        self._buffer: list = []

    # ------------------------------------------------------------------ the loop
    def run_forever(self, stop: threading.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                self._consume(stop)
                backoff = 0.5
            except Exception as exc:  # noqa: BLE001 - broker gone: wait and reconnect
                log.warning("consumer lost the bus; reconnecting",
                            extra={"queue": self.queue_name, "error": str(exc), "retry_in": backoff})
                self._buffer.clear()  # unacked messages return to the queue by themselves
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)

    def _consume(self, stop: threading.Event) -> None:
        conn = connect(self.settings)
        try:
            conn.ensure_connection(max_retries=1, timeout=self.settings.connect_timeout)
            channel = conn.channel()
            if self.settings.is_amqp:
                consumer_queue(self.settings, self.sub)(channel).declare()  # idempotent
            queue = Queue(self.queue_name, no_declare=True)
            consumer = Consumer(channel, queues=[queue], callbacks=[self._collect], accept=["json"],
                                prefetch_count=self.batch_size * 2)
            consumer.consume()
            while not stop.is_set():
                self._fill(conn)
                if self._buffer:
                    batch, self._buffer = self._buffer, []
                    self.process(batch, conn)
        finally:
            # closing the connection cancels the consumer and returns anything unacked
            close_quietly(conn, self.settings.connect_timeout)

    def _collect(self, body, message) -> None:
        self._buffer.append(message)

    def _fill(self, conn) -> None:
        try:
            conn.drain_events(timeout=0.25)
        except socket.timeout:
            return
        while len(self._buffer) < self.batch_size:
            try:
                conn.drain_events(timeout=0.005)
            except socket.timeout:
                return

    # ------------------------------------------------------------------ handling
    def process(self, messages: list, conn=None) -> None:
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
                    delivery.message.ack()
            return
        self._ack_all(deliveries)

    def _ack_all(self, deliveries: list[Delivery]) -> None:
        """On RabbitMQ one `basic.ack multiple` settles the whole batch: every message delivered
        on this channel so far is in it (the buffer takes all), or was settled already."""
        if self.settings.is_amqp:
            max(deliveries, key=lambda d: d.message.delivery_tag).message.ack(multiple=True)
            return
        for delivery in deliveries:
            delivery.message.ack()

    def _handle(self, deliveries: list[Delivery]) -> None:
        inbox = self.runtime.messaging.inbox
        ids = [d.event["id"] for d in deliveries]
        try:
            with self.runtime.uow() as uow:
                done = set(uow.session.execute(select(inbox.c.event_id).where(
                    inbox.c.consumer == self.consumer_name, inbox.c.event_id.in_(ids))).scalars())
                now = datetime.now(timezone.utc).replace(tzinfo=None)
                todo = []
                for delivery in deliveries:
                    if delivery.event["id"] in done:
                        continue  # already applied: a redelivery or a duplicate
                    done.add(delivery.event["id"])
                    todo.append(delivery.event)
                if todo:
                    # one statement for the batch's inbox rows, before the effects: a replica
                    # applying the same event waits on these keys, then fails and backs off
                    uow.session.execute(insert(inbox), [
                        {"consumer": self.consumer_name, "event_id": e["id"], "type": e["type"],
                         "processed_at": now} for e in todo])
                for event in todo:
                    handler = self.sub.handlers.get(event["type"])
                    if handler is not None:
                        handler(uow, event)
                uow.commit()
        except IntegrityError:
            if len(deliveries) == 1 and self._already_done(ids[0]):
                return  # a replica applied it at the same moment: one effect, ack ours
            raise

    def _already_done(self, event_id: str) -> bool:
        inbox = self.runtime.messaging.inbox
        with self.runtime.engine.connect() as conn:
            return conn.execute(select(inbox.c.event_id).where(
                inbox.c.consumer == self.consumer_name, inbox.c.event_id == event_id)).first() is not None

    def _failed(self, delivery: Delivery, exc: Exception, conn) -> None:
        permanent = isinstance(exc, PermanentFailure) or isinstance(exc, (KeyError, TypeError, ValueError))
        log.error("event handler failed", extra={
            "queue": self.queue_name, "event_id": delivery.event.get("id"), "event_type": delivery.event.get("type"),
            "error": f"{type(exc).__name__}: {exc}", "permanent": permanent})
        if self.settings.is_amqp:
            if permanent:
                delivery.message.reject(requeue=False)  # straight to the dead-letter exchange
            else:
                time.sleep(0.2)
                delivery.message.reject(requeue=True)  # the quorum queue counts toward its limit
            return
        attempts = self._count_attempt(delivery, exc)
        if permanent or attempts >= self.settings.delivery_limit:
            self._dead_letter(delivery, exc, conn, permanent, attempts)
        else:
            time.sleep(0.2)
            delivery.message.requeue()

    def _count_attempt(self, delivery: Delivery, exc: Exception) -> int:
        table = self.runtime.messaging.attempts
        key = dict(consumer=self.consumer_name, event_id=delivery.event["id"])
        with self.runtime.engine.begin() as db:
            row = db.execute(select(table.c.attempts).where(
                table.c.consumer == key["consumer"], table.c.event_id == key["event_id"])).first()
            if row is None:
                db.execute(insert(table).values(**key, attempts=1, last_error=str(exc)[:1000]))
                return 1
            db.execute(update(table).where(table.c.consumer == key["consumer"], table.c.event_id == key["event_id"])
                       .values(attempts=row.attempts + 1, last_error=str(exc)[:1000]))
            return row.attempts + 1

    def _forget_attempts(self, event_id: str) -> None:
        """A dead-lettered event starts counting afresh, so a replay gets the full limit again."""
        table = self.runtime.messaging.attempts
        with self.runtime.engine.begin() as db:
            db.execute(delete(table).where(table.c.consumer == self.consumer_name, table.c.event_id == event_id))

    def _dead_letter(self, delivery: Delivery, exc: Exception, conn, permanent: bool, attempts: int = 1) -> None:
        reason = "rejected" if permanent else "delivery_limit"
        log.error("event dead-lettered", extra={"queue": self.queue_name, "event_id": delivery.event.get("id"),
                                                "reason": reason, "error": str(exc)})
        if self.settings.is_amqp:
            delivery.message.reject(requeue=False)
            return
        _, dlx = exchanges(self.settings)
        producer = Producer(conn.channel(), exchange=dlx, serializer="json")
        dlx(producer.channel).declare()
        producer.publish(delivery.message.payload if delivery.event.get("id") else {"raw": str(delivery.message.body)},
                         routing_key=self.queue_name,
                         headers={"x-death-reason": reason, "x-error": str(exc)[:1000], "x-queue": self.queue_name,
                                  "x-attempts": attempts})
        delivery.message.ack()
        if delivery.event.get("id"):
            self._forget_attempts(delivery.event["id"])
