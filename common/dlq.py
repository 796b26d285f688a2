"""Dead-letter queues: list what failed and why, and replay it once the cause is fixed.

    python -m common.dlq list  enrollment.directory
    python -m common.dlq replay enrollment.directory [--event-id ID]

Replay sends the message back to the one consumer's queue (not the exchange), so other
consumers never see it twice; the inbox would make a second copy harmless anyway."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

from kombu import Producer, Queue

from common.bus import connect
from common.config import BusSettings


def _headers(message: Any) -> dict[str, Any]:
    return dict(message.headers or {})


def _reason(message: Any) -> str:
    headers = _headers(message)
    if "x-death-reason" in headers:
        return str(headers["x-death-reason"])
    if headers.get("x-first-death-reason"):
        return str(headers["x-first-death-reason"])
    deaths = headers.get("x-death") or []
    return str(deaths[0].get("reason", "")) if deaths else ""


def _event(message: Any) -> dict[str, Any]:
    try:
        payload = message.payload
        if isinstance(payload, (bytes, str)):
            payload = json.loads(payload)
        return payload if isinstance(payload, dict) else {}
    except Exception:  # noqa: BLE001 - a malformed message is still listed
        return {}


def _queue_name(queue: str, settings: BusSettings) -> str:
    return queue if queue.startswith(settings.queue_prefix) else settings.queue_prefix + queue


def _dead_letters(channel: Any, name: str) -> Iterator[Any]:
    """Take every message of the dead-letter queue without acking (they stay the queue's)."""
    dlq = Queue(name + ".dlq", no_declare=True)(channel)
    while True:
        message = dlq.get(no_ack=False, accept=["json"])
        if message is None:
            return
        yield message


def list_dead_letters(queue: str, settings: BusSettings | None = None, limit: int = 1000) -> list[dict[str, Any]]:
    settings = settings or BusSettings()
    name = _queue_name(queue, settings)
    out = []
    with connect(settings) as conn:
        channel = conn.channel()
        held = []
        for message in _dead_letters(channel, name):
            held.append(message)
            event = _event(message)
            headers = _headers(message)
            out.append(
                {
                    "event_id": event.get("id"),
                    "type": event.get("type"),
                    "reason": _reason(message),
                    "attempts": headers.get("x-attempts"),  # embedded only; RabbitMQ: the delivery limit
                    "error": headers.get("x-error", ""),
                }
            )
            if len(held) >= limit:
                break
        for message in held:
            message.requeue()  # listing changes nothing
        channel.close()
    return out


def replay(queue: str, settings: BusSettings | None = None, event_id: str | None = None) -> int:
    """Send dead letters back to their consumer's queue; each copy is confirmed by the broker
    before its dead letter is acked, so a replay interrupted half-way loses nothing."""
    settings = settings or BusSettings()
    name = _queue_name(queue, settings)
    replayed = 0
    with connect(settings, confirm_publish=True) as conn:
        channel = conn.channel()
        producer = Producer(conn.channel(), serializer="json")  # the default exchange: straight to the queue
        held = []
        for message in _dead_letters(channel, name):
            event = _event(message)
            if event_id and event.get("id") != event_id:
                held.append(message)
                continue
            producer.publish(
                event,
                routing_key=name,
                message_id=event.get("id"),
                delivery_mode=2,
                headers={"x-replayed": 1},
                timeout=settings.confirm_timeout,
                confirm_timeout=settings.confirm_timeout,
            )
            message.ack()
            replayed += 1
        for message in held:
            message.requeue()
        channel.close()
    return replayed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.dlq", description="dead-letter queues")
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="list dead-lettered events of a consumer queue")
    p_list.add_argument("queue")
    p_replay = sub.add_parser("replay", help="send dead-lettered events back to their queue")
    p_replay.add_argument("queue")
    p_replay.add_argument("--event-id")
    args = parser.parse_args(argv)
    if args.command == "list":
        for row in list_dead_letters(args.queue):
            print(json.dumps(row, ensure_ascii=False))
        return 0
    print(f"replayed {replay(args.queue, event_id=args.event_id)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
